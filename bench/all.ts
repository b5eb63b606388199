// `make bench`: runs every bench one after the other (each measures its peer or floor in the same
// run), keeps their full output in .state/bench/, and prints one table: figure, ours, peer/floor,
// ratio, goal. The README's benchmark table is this output.
// Usage: tsx bench/all.ts [--only name,name] [--quick]   (root; under the host lock)
//        tsx bench/all.ts --from DIR   (no bench: the table of DIR/results.jsonl and DIR/dns.log, the
//        files benches run one by one left, each with BENCH_RESULTS=DIR/results.jsonl)
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Row } from "./lib/results";

const ROOT = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1]!.split(",") : undefined;
const from = args.includes("--from") ? path.resolve(args[args.indexOf("--from") + 1]!) : undefined;

/** name, script, arguments (full run / --quick). */
const BENCHES: Array<[string, string, string[], string[]]> = [
  ["network", "bench/network/run.ts", ["20"], ["5"]],
  ["instance", "bench/instance/run.ts", ["5"], ["2"]],
  ["libvirt", "bench/libvirt/run.ts", ["10", "3"], ["3", "1"]],
  ["memory", "bench/memory/run.ts", ["10", "3"], ["2", "2"]],
  ["scale", "bench/scale/run.ts", [], ["--quick"]],
  // 3 runs: medians with a (min-max) range; the machine is shared.
  ["dns", "bench/dns/run.ts", ["5", "3"], ["2"]],
  ["warmstart", "bench/warmstart/run.ts", ["10", "3"], ["4", "1"]],
];

function runBench(name: string, script: string, argv: string[], env: Record<string, string>, log: string) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const out: string[] = [];
    const p = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [script, ...argv], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const file = fs.createWriteStream(log);
    const tee = (d: Buffer) => {
      out.push(d.toString());
      file.write(d);
      process.stderr.write(`[${name}] ${d.toString().replace(/\n(?=.)/g, `\n[${name}] `)}`);
    };
    p.stdout.on("data", tee);
    p.stderr.on("data", tee);
    p.on("close", (code) => {
      file.end();
      resolve({ code: code ?? 1, out: out.join("") });
    });
  });
}

/** bench/dns prints its own table (it belongs to another part of the work): read its rows. */
export function dnsRows(out: string): Row[] {
  const rows: Row[] = [];
  const q: Record<string, Record<string, { qps: number; p99: number }>> = {};
  // Columns are found by their header ("max qps", "p99 ms @N"): bench/dns adds columns over time.
  // Cells may carry a spread, "85478 (80000-90000)", whose single spaces do not split it.
  let qpsAt = -1;
  let p99At = -1;
  for (const l of out.split("\n")) {
    const cells = l.trim().split(/\s{2,}/);
    if (cells[0] === "case") {
      qpsAt = cells.indexOf("max qps");
      p99At = cells.findIndex((c) => /^p99 ms @\d+/.test(c));
      continue;
    }
    if (qpsAt < 0 || p99At < 0 || cells.length <= Math.max(qpsAt, p99At)) continue;
    if (!/^(local|forwarded|deadFirst)$/.test(cells[0]!)) continue;
    if (!/^(ours|dnsmasq|unbound)$/.test(cells[1]!)) continue;
    (q[cells[0]!] ??= {})[cells[1]!] = { qps: parseFloat(cells[qpsAt]!), p99: parseFloat(cells[p99At]!) };
  }
  for (const [c, f] of Object.entries(q)) {
    if (!f.ours || !f.dnsmasq) continue;
    rows.push({
      figure: `DNS ${c}, max qps`,
      bench: "dns",
      ours: f.ours.qps,
      peer: f.dnsmasq.qps,
      peerName: "dnsmasq",
      unit: "qps",
      better: "higher",
      goal: ">= 1.0x",
      limit: 1.0,
    });
    rows.push({
      figure: `DNS ${c}, p99 @2000 qps`,
      bench: "dns",
      ours: f.ours.p99,
      peer: f.dnsmasq.p99,
      peerName: "dnsmasq",
      unit: "ms",
      better: "lower",
      goal: "(report)",
      limit: Infinity,
    });
  }
  return rows;
}

const fmt = (x: number | undefined, unit: string) =>
  x === undefined || !Number.isFinite(x)
    ? "-"
    : `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${unit}`;

export function table(rows: Row[]): string {
  const lines = ["| figure | ours | peer / floor | ratio | goal | met |", "|---|---:|---|---:|---|---|"];
  for (const r of rows) {
    const ratio = r.peer !== undefined ? r.ours / r.peer : undefined;
    const v = ratio ?? r.ours;
    const met = !Number.isFinite(r.limit)
      ? ""
      : (r.better === "lower" ? v <= r.limit : v >= r.limit)
        ? "yes"
        : "**no**";
    lines.push(
      `| ${r.figure} | ${fmt(r.ours, r.unit)} | ${r.peer !== undefined ? `${fmt(r.peer, r.unit)} ${r.peerName}` : "-"} | ` +
        `${ratio !== undefined ? `${ratio.toFixed(2)}x` : "-"} | ${r.goal} | ${met} |`,
    );
  }
  return lines.join("\n");
}

function readResults(file: string): Row[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

/** The table of benches that ran one by one (each under its own hold of the host lock). */
function tableFrom(dir: string): void {
  const dns = path.join(dir, "dns.log");
  const rows = [
    ...readResults(path.join(dir, "results.jsonl")),
    ...(fs.existsSync(dns) ? dnsRows(fs.readFileSync(dns, "utf8")) : []),
  ];
  console.log(`${table(rows)}\n`);
}

async function main(): Promise<void> {
  if (from) return tableFrom(from);
  const dir = path.join(ROOT, ".state", "bench");
  fs.mkdirSync(dir, { recursive: true });
  const results = path.join(dir, "results.jsonl");
  fs.rmSync(results, { force: true });
  const failed: string[] = [];
  const rows: Row[] = [];
  const started = Date.now();
  for (const [name, script, full, small] of BENCHES) {
    if (only && !only.includes(name)) continue;
    const t = Date.now();
    const r = await runBench(
      name,
      script,
      quick ? small : full,
      { BENCH_RESULTS: results },
      path.join(dir, `${name}.log`),
    );
    process.stderr.write(
      `[${name}] ${r.code === 0 ? "done" : `FAILED (exit ${r.code})`} in ${((Date.now() - t) / 1000).toFixed(0)} s\n`,
    );
    if (r.code !== 0) failed.push(name);
    if (name === "dns") rows.push(...dnsRows(r.out));
  }
  rows.unshift(...readResults(results));
  const text =
    `Measured ${new Date().toISOString().slice(0, 10)}, ${((Date.now() - started) / 60000).toFixed(0)} min, ` +
    `2 cores shared with other work, TCG; each ratio is ours / the peer measured in the same run.\n\n${table(rows)}\n`;
  fs.writeFileSync(path.join(dir, "table.md"), text);
  console.log(text);
  if (failed.length > 0) {
    console.error(`failed: ${failed.join(", ")} (logs in ${dir})`);
    process.exit(1);
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
