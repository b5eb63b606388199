// Scale through the real Pulumi CLI (Automation API, inline programs, as the e2e tests run): one
// stack of K Networks and one of K Instances (64 MiB, running: false: 50 TCG guests would measure
// two saturated cores, not us), K = 1, 10, 50, 100, after an uncounted warm-up `up`. Prints the time
// per object at each K and the marginal cost per object between consecutive K (flat or not), and
// `pulumi up --parallel 1` vs the default at the largest K.
// qvmd runs with bench/profile/tracer.ts, so a non-flat curve comes with where the time went:
// the wait for each of qvmd's locks (by name) vs the work, per object, and the firewall guard's
// background checks and repairs during each up.
// Usage: tsx bench/scale/run.ts [--quick] [--networks-only] [--ks 1,10,50,100]   (root)
// --networks-only: no Instances stack (a short run when only networks changed); --ks: the network
// stack's K values, ascending.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as qemu from "pulumi-qemu";
import { guestDir } from "../../test/helpers/guest";
import { openStack } from "../../test/helpers/workspace";
import { TestAgent } from "../../test/helpers/agent";
import { median, record } from "../lib/results";
import type { Span } from "../profile/tracer";
import { selfByName } from "../profile/tree";
import { checkpointBytes, childrenOf, guardWork, lockWaits, qvmdSide, stateWrites } from "./analysis";

const quick = process.argv.includes("--quick");
const networksOnly = process.argv.includes("--networks-only");
function ksOption(): number[] | undefined {
  const i = process.argv.indexOf("--ks");
  if (i < 0) return undefined;
  const ks = (process.argv[i + 1] ?? "").split(",").map(Number);
  if (ks.length === 0 || ks.some((k, j) => !Number.isInteger(k) || k < 1 || (j > 0 && k <= ks[j - 1]!)))
    throw new Error(`--ks wants ascending positive integers, e.g. 1,10,50,100; got ${process.argv[i + 1]}`);
  return ks;
}
const NET_KS = ksOption() ?? (quick ? [1, 10, 30] : [1, 10, 50, 100]);
const INST_KS = networksOnly ? [] : quick ? [1, 10] : [1, 10, 50];

interface UpResult {
  upMs: number;
  destroyMs: number;
  /** Per resource of the kind under test: CLI-observed create durations (ms). */
  perResource: number[];
  /** The CLI's checkpoint of the stack after the up (bytes): it rewrites it after every step. */
  checkpointBytes: number;
}

async function measure(
  name: string,
  stateDir: string,
  socket: string,
  program: () => Promise<void>,
  kind: string,
  parallel?: number,
): Promise<UpResult> {
  const stack: Stack = await openStack({
    example: "network",
    stackName: name,
    stateDir,
    env: { QVMD_SOCKET: socket },
    program: async () => {
      await program();
    },
  });
  const started = new Map<string, number>();
  const perResource: number[] = [];
  const onEvent = (e: EngineEvent) => {
    const pre = e.resourcePreEvent?.metadata;
    const out = e.resOutputsEvent?.metadata;
    if (pre && pre.type === kind && pre.op === "create") started.set(pre.urn, Date.now());
    if (out && out.type === kind && started.has(out.urn))
      perResource.push(Date.now() - started.get(out.urn)!);
  };
  let t = Date.now();
  const up = await stack.up({ onEvent, ...(parallel ? { parallel } : {}) });
  const upMs = Date.now() - t;
  if (up.summary.result !== "succeeded") throw new Error(`${name}: up ${up.summary.result}`);
  const checkpoint = checkpointBytes(stateDir, name);
  t = Date.now();
  await stack.destroy({ ...(parallel ? { parallel } : {}) });
  const destroyMs = Date.now() - t;
  await stack.workspace.removeStack(name);
  return { upMs, destroyMs, perResource, checkpointBytes: checkpoint };
}

async function main(): Promise<void> {
  const g = networksOnly ? "" : await guestDir("x86_64");
  const traceFile = path.join(os.tmpdir(), `qvx-scale-trace-${process.pid}.json`);
  const root = path.resolve(__dirname, "..", "..");
  const agent = new TestAgent({
    NODE_OPTIONS: [
      path.join(root, "node_modules", "tsx", "dist", "cjs", "index.cjs"),
      path.join(root, "bench", "profile", "tracer.ts"),
    ]
      .map((p) => `--require ${p}`)
      .join(" "),
    QVMD_TRACE: traceFile,
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-scale-"));
  await agent.start();
  // Marks in qvmd's clock are not ours: phases are matched by their order in the trace instead.
  const phases: Array<{ label: string; kind: "net" | "inst"; k: number; r: UpResult }> = [];
  try {
    const nets = (k: number) => async () => {
      for (let i = 0; i < k; i++)
        new qemu.Network(`n${i}`, { cidr: `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24`, nat: true });
    };
    const insts = (k: number) => async () => {
      const net = new qemu.Network("net", { cidr: "10.99.0.0/22" });
      const img = new qemu.Image("img", {
        source: `file://${g}/disk.qcow2`,
        kernel: `file://${g}/vmlinuz`,
        initrd: `file://${g}/initrd.img`,
        cmdline: "console=ttyS0",
      });
      for (let i = 0; i < k; i++)
        new qemu.Instance(`i${i}`, {
          imageId: img.id,
          memoryMb: 64,
          running: false,
          networks: [{ networkId: net.id }],
        });
    };
    // Not counted: the first `up` of a run pays the engine's and the plugin's cold start (once 7 s
    // at K = 1, more than the whole up at K = 10, which made a marginal cost over K = 1 negative).
    await measure("scale-warm", stateDir, agent.socket, nets(1), "qemu:index:Network");
    for (const k of NET_KS)
      phases.push({
        label: `net${k}`,
        kind: "net",
        k,
        r: await measure(`scale-net-${k}`, stateDir, agent.socket, nets(k), "qemu:index:Network"),
      });
    const kMax = NET_KS.at(-1)!;
    phases.push({
      label: `net${kMax}-p1`,
      kind: "net",
      k: kMax,
      r: await measure(`scale-net-${kMax}-p1`, stateDir, agent.socket, nets(kMax), "qemu:index:Network", 1),
    });
    for (const k of INST_KS)
      phases.push({
        label: `inst${k}`,
        kind: "inst",
        k,
        r: await measure(`scale-inst-${k}`, stateDir, agent.socket, insts(k), "qemu:index:Instance"),
      });
  } finally {
    await agent.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const spans = fs.existsSync(traceFile) ? (JSON.parse(fs.readFileSync(traceFile, "utf8")) as Span[]) : [];
  fs.rmSync(traceFile, { force: true });

  // Split the trace into the phases: each phase's applies form one contiguous run of the root span.
  const applies = (root: string) =>
    spans.filter((s) => s.name === root && s.parent === 0).sort((a, b) => a.start - b.start);
  const netApplies = applies("Networks.apply");
  const instApplies = applies("Instances.apply");
  let ni = 1; // the warm-up's network
  let ii = 0;
  const print = (s: string) => console.log(s);
  const kids = childrenOf(spans);
  const locksOf = new Map<string, Map<string, { wait: number; held: number; n: number }>>();
  const guardOf = new Map<string, ReturnType<typeof guardWork>>();
  const writesOf = new Map<string, ReturnType<typeof stateWrites>>();
  print("scale through the Pulumi CLI (Automation API), one qvmd, ms");
  print(
    "stack                 K   up total  per object  marginal/obj  destroy/obj  CLI create p50  qvmd lock wait p50  qvmd work p50",
  );
  print("(marginal/obj: the up time added per object since the previous K of the same stack)");
  const prevOf: Record<string, { k: number; upMs: number }> = {};
  const firstMarginal: Record<string, { k: number; from: number; ms: number }> = {};
  const idsOf = new Map<string, Set<number>>();
  for (const p of phases) {
    const list = p.kind === "net" ? netApplies : instApplies;
    // Networks: one apply per network (the instances stack also applies one network, counted).
    const n = p.kind === "net" ? p.k : p.k;
    const at = p.kind === "net" ? ni : ii;
    const mine = list.slice(at, at + n);
    if (p.kind === "net") ni += n;
    else ii += n;
    idsOf.set(p.label, new Set(mine.map((x) => x.id)));
    const side = mine.length ? qvmdSide(kids, mine) : { wait: NaN, work: NaN };
    // Per lock name, summed over the phase's calls, per call.
    const byLock = new Map<string, { wait: number; held: number; n: number }>();
    for (const c of mine)
      for (const [name, e] of lockWaits(kids, c)) {
        const t = byLock.get(name) ?? { wait: 0, held: 0, n: 0 };
        t.wait += e.wait / mine.length;
        t.held += e.held / mine.length;
        t.n += e.n / mine.length;
        byLock.set(name, t);
      }
    locksOf.set(p.label, byLock);
    if (mine.length) {
      const end = Math.max(...mine.map((c) => c.end));
      guardOf.set(p.label, guardWork(spans, kids, mine[0]!.start, end));
      writesOf.set(p.label, stateWrites(spans, mine[0]!.start, end));
    }
    const serial = p.label.endsWith("-p1");
    const prev = serial ? undefined : prevOf[p.kind];
    const marginal = prev ? (p.r.upMs - prev.upMs) / (p.k - prev.k) : NaN;
    if (!serial) prevOf[p.kind] = { k: p.k, upMs: p.r.upMs };
    print(
      `${p.label.padEnd(18)} ${String(p.k).padStart(4)} ${p.r.upMs.toFixed(0).padStart(10)} ${(p.r.upMs / p.k).toFixed(0).padStart(11)} ` +
        `${Number.isFinite(marginal) ? marginal.toFixed(0).padStart(13) : "-".padStart(13)} ${(p.r.destroyMs / p.k).toFixed(0).padStart(12)} ` +
        `${median(p.r.perResource).toFixed(0).padStart(15)} ${side.wait.toFixed(0).padStart(19)} ${side.work.toFixed(0).padStart(14)}`,
    );
    if (!prev) continue;
    const what = p.kind === "net" ? "Networks" : "Instances (running: false)";
    // Flat means each object added costs what the first ones did: the marginal cost of this step of
    // K against that of the first step (K = 1 -> 10), in the same run.
    const first = (firstMarginal[p.kind] ??= { k: p.k, from: prev.k, ms: marginal });
    record({
      figure: `${what}, added per object K=${prev.k}->${p.k} (pulumi up)`,
      bench: "scale",
      ours: marginal,
      ...(first.k !== p.k && { peer: first.ms }),
      peerName: `K=${first.from}->${first.k}`,
      unit: "ms",
      better: "lower",
      goal: "flat in K",
      limit: Infinity,
      note: `up ${(p.r.upMs / p.k).toFixed(0)} ms per object at K=${p.k}`,
    });
  }
  // Which lock a call waits for, and how long it is held, per call; and the guard's work meanwhile.
  print("qvmd locks per call (wait / held ms, times taken), and the firewall guard during the up:");
  for (const p of phases) {
    const l = locksOf.get(p.label);
    if (!l) continue;
    const cells = [...l.entries()]
      .sort((a, b) => b[1].wait - a[1].wait)
      .map(([name, e]) => `${name} ${e.wait.toFixed(1)}/${e.held.toFixed(1)} x${e.n.toFixed(1)}`);
    const g = guardOf.get(p.label);
    print(`  ${p.label.padEnd(12)} ${cells.join(", ")}`);
    if (g)
      print(
        `  ${"".padEnd(12)} guard: ${g.checks} checks, ${g.repairs} repairs (${g.repairMs.toFixed(0)} ms), ` +
          `${g.reapplied} network firewalls re-applied, ${g.execs} execs`,
      );
    const w = writesOf.get(p.label);
    if (w)
      print(
        `  ${"".padEnd(12)} state: ${w.updates} updates in ${w.writes} writes, ${w.ms.toFixed(1)} ms per write (p50); ` +
          `CLI checkpoint after the up ${(p.r.checkpointBytes / 1024).toFixed(0)} KiB`,
      );
  }
  const all = guardWork(spans, kids, -Infinity, Infinity);
  print(
    `  whole run    guard: ${all.checks} checks, ${all.repairs} repairs (${all.repairMs.toFixed(0)} ms), ` +
      `${all.reapplied} network firewalls re-applied, ${all.execs} execs`,
  );
  // Which steps of a network create grow with K: self time per call by step, smallest vs largest K.
  const ks = phases.filter((p) => p.kind === "net" && p.k > 1 && !p.label.endsWith("-p1"));
  if (ks.length >= 2) {
    const [lo, hi] = [ks[0]!, ks.at(-1)!];
    const a = selfByName(spans, "Networks.apply", (x) => idsOf.get(lo.label)!.has(x.id));
    const b = selfByName(spans, "Networks.apply", (x) => idsOf.get(hi.label)!.has(x.id));
    const growth = [...b.entries()]
      .map(([name, v]) => ({ name, lo: a.get(name)?.ms ?? 0, hi: v.ms, calls: v.calls }))
      .sort((x, y) => y.hi - y.lo - (x.hi - x.lo))
      .slice(0, 8);
    print(`network create, self ms per call by step at K=${lo.k} -> K=${hi.k} (largest growth first):`);
    for (const g of growth)
      print(
        `  ${g.name.padEnd(60)} ${g.lo.toFixed(1).padStart(7)} -> ${g.hi.toFixed(1).padStart(7)}  (${g.calls.toFixed(0)} calls)`,
      );
  }
  const p1 = phases.find((p) => p.label.endsWith("-p1"));
  const pd = phases.find((p) => p.kind === "net" && p.k === p1?.k && !p.label.endsWith("-p1"));
  if (p1 && pd) {
    print(
      `--parallel 1 vs default at K=${p1.k} networks: up ${p1.r.upMs.toFixed(0)} vs ${pd.r.upMs.toFixed(0)} ms ` +
        `(default / serial = ${(pd.r.upMs / p1.r.upMs).toFixed(2)}x; 1.0x means the parallelism buys nothing)`,
    );
    record({
      figure: `pulumi up, ${p1.k} networks: default parallel vs --parallel 1`,
      bench: "scale",
      ours: pd.r.upMs / 1000,
      peer: p1.r.upMs / 1000,
      peerName: "--parallel 1",
      unit: "s",
      better: "lower",
      goal: "< 1.0x",
      limit: 1.0,
    });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
