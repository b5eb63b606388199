// A qvmd with bench/profile/tracer.ts preloaded (every exported function of the compiled agent and
// every exec is a timing span, written to a trace file when qvmd stops), and the per-step trees of
// chosen API calls read back from that file. Used by profile/run.ts and by benches that explain a
// figure where it was measured (e.g. libvirt/run.ts with LIBVIRTBENCH_TRACE=1).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TestAgent } from "../../test/helpers/agent";
import type { Span } from "./tracer";
import { profile, toText } from "./tree";

export function tracedAgent(env: Record<string, string> = {}): { agent: TestAgent; traceFile: string } {
  const traceFile = path.join(os.tmpdir(), `qvx-trace-${process.pid}.json`);
  const root = path.resolve(__dirname, "..", "..");
  const preload = [
    path.join(root, "node_modules", "tsx", "dist", "cjs", "index.cjs"),
    path.join(__dirname, "tracer.ts"),
  ];
  const agent = new TestAgent({
    ...env,
    NODE_OPTIONS: [env.NODE_OPTIONS, ...preload.map((p) => `--require ${p}`)].filter(Boolean).join(" "),
    QVMD_TRACE: traceFile,
  });
  return { agent, traceFile };
}

/** Reads the trace (removing it) and prints one tree per [title, root call, resource ids]. */
export function printTrees(traceFile: string, sections: Array<[string, string, RegExp]>): string {
  const spans = JSON.parse(fs.readFileSync(traceFile, "utf8")) as Span[];
  fs.rmSync(traceFile, { force: true });
  const parts: string[] = [];
  for (const [title, root, ids] of sections) {
    const p = profile(spans, root, (s) => ids.test(s.arg ?? ""));
    parts.push(`### ${title}`, "", "```text", toText(p), "```", "");
  }
  const text = parts.join("\n");
  console.log(text);
  return text;
}
