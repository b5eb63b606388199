// What an `nft -f` of one of our tables costs when it replaces (`table t; delete table t; table t
// {...}`, the form every table of ours is written in) and when it only adds (util/nft.ts's
// createForm), for a table that does not exist yet: our network table in the root namespace and the
// guest fence in a new namespace; and a create form failing on a table that exists. The replace
// destroys something, so nft's socket release waits for an RCU grace period (bench/network/PROFILE.md,
// "vs libvirt"). Scratch names (lvmicro*) are not ours, so a leftover is told apart from qvmd's.
// Usage: tsx bench/network/nft-forms.ts [runs]   (root, under the host lock)
import { renderFence } from "../../agent/src/fence/render";
import { renderNftTable } from "../../agent/src/network/render";
import { resolveNetwork } from "../../agent/src/network/spec";
import { run } from "../../agent/src/util/exec";
import { createForm } from "../../agent/src/util/nft";
import { median, since } from "../lib/results";

const RUNS = Number(process.argv[2] ?? 15);
const NS = "lvmicro0";
const net = resolveNetwork({ id: "lvmicro", cidr: "10.229.0.0/24", nat: true }).network!;
// Our renderers' text under scratch table names.
const root = renderNftTable(net).replaceAll("qvm_lvmicro", "lvmicro");
const fence = renderFence([]).replaceAll(" qvm_fence", " lvfence");
const inNs = ["ip", "netns", "exec", NS, "nft"];

async function nft(prefix: string[], script: string, reject = true): Promise<number> {
  const t = process.hrtime.bigint();
  const r = await run(prefix[0]!, [...prefix.slice(1), "-f", "-"], { input: script, reject: false });
  const ms = since(t);
  if (reject && r.exitCode !== 0) throw new Error(`nft failed: ${r.stderr}`);
  return ms;
}

async function fresh(label: string, prefix: string[], script: string, table: string): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ms.push(await nft(prefix, script));
    await nft(prefix, `delete table ${table}\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`${median(ms).toFixed(1).padStart(6)} ms  ${label} (min ${Math.min(...ms).toFixed(1)})`);
}

async function main(): Promise<void> {
  await run("ip", ["netns", "add", NS]);
  try {
    console.log(`nft -f, median of ${RUNS}, a table that does not exist yet:`);
    await fresh("root table, replacing script", ["nft"], root, "inet lvmicro");
    await fresh("root table, adding script", ["nft"], createForm(root), "inet lvmicro");
    await fresh("fence in a new namespace, replacing script", inNs, fence, "bridge lvfence");
    await fresh("fence in a new namespace, adding script", inNs, createForm(fence), "bridge lvfence");
    await nft(["nft"], root);
    const fail: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fail.push(await nft(["nft"], createForm(root), false));
      again.push(await nft(["nft"], root));
    }
    console.log(`${median(fail).toFixed(1).padStart(6)} ms  root table exists: adding script (fails)`);
    console.log(`${median(again).toFixed(1).padStart(6)} ms  root table exists: replacing script`);
  } finally {
    await run("nft", ["delete", "table", "inet", "lvmicro"], { reject: false });
    await run("ip", ["netns", "delete", NS], { reject: false });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
