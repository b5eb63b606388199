// Warm start vs cold boot, in the same run, through a real qvmd and the tiny test guest (TCG):
//   cold   ApplyInstance from the Image, waitFor ssh: QEMU start -> boot -> DHCP -> SSH banner
//   clone  ApplyInstance from an InstanceTemplate of the same guest, waitFor ssh: disk layer and
//          TAP -> QEMU start -> device state streamed in -> NIC hot-plug -> DHCP -> SSH banner
// one at a time (median of ROUNDS, cold and clone alternating) and N at once (wall time until all
// answer SSH), the template's boot, save time and sizes, and where a clone's time goes (from the
// timestamps of qvmd's progress messages and the restore's own breakdown). Prints milliseconds and
// ratios, appends rows to $BENCH_RESULTS for `make bench`; asserts nothing.
// Usage: tsx bench/warmstart/run.ts [N=10] [ROUNDS=3] [MEMORY_MB=256]   (root, under the host lock)
import * as fs from "node:fs";
import type { InstanceSpec } from "@pulumi-qemu/api";
import { guestImage } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { median, record } from "../lib/results";

const N = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const MEMORY_MB = Number(process.argv[4] ?? 256);
/** The issue's goals for clones, absolute: one ready in 1 s, N=10 at once in 3 s. */
const GOAL_ONE_MS = 1000;
const GOAL_N_MS = 3000;

const mac = (k: number) =>
  `52:54:00:4d:${(k >> 8).toString(16).padStart(2, "0")}:${(k & 255).toString(16).padStart(2, "0")}`;

/** One ApplyInstance: its wall time and when (ms from its start) each phase ended. */
interface Timing {
  total: number;
  /** The QEMU's CPU time when the call returned (ms). */
  qemuCpu?: number;
  /** Clone only: disk and TAPs, QEMU start, state, NIC plug (qvmd's own breakdown). */
  restore?: number[];
  restored?: number;
  address?: number;
}

const PHASES = ["disk and TAPs", "QEMU start", "state", "NIC plug"];

/** CPU time (ms) a process has used: utime + stime from /proc/<pid>/stat (100 ticks a second). */
function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(x[11]) + Number(x[12])) * 10;
}

/** The host's busy and total CPU time (ms, all cores) so far, from /proc/stat. */
function hostCpu(): { busy: number; total: number } {
  const v = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0) * 10;
  return { busy: total - (v[3]! + v[4]!) * 10, total };
}

async function main(): Promise<void> {
  const agent = new TestAgent();
  const c = await agent.start();
  let k = 0;
  const spec = (id: string, s: Partial<InstanceSpec>): InstanceSpec => ({
    id,
    memory_mb: MEMORY_MB,
    nics: [{ network_id: "qbw", mac: mac(++k) }],
    running: true,
    wait_for_ip_seconds: 600,
    wait_for: "ssh",
    ...s,
  });
  const apply = async (s: InstanceSpec): Promise<Timing> => {
    const t0 = performance.now();
    const t: Timing = { total: 0 };
    const inst = await c.applyInstance(s, (p) => {
      const at = performance.now() - t0;
      const m = /^restored from template \S+ in \d+ ms; NICs plugged \((.*)\)/.exec(p.message);
      if (m) {
        t.restored = at;
        t.restore = [...m[1]!.matchAll(/(\d+) ms/g)].map((x) => Number(x[1]));
      }
      if (p.message.startsWith("address ")) t.address = at;
    });
    t.total = performance.now() - t0;
    t.qemuCpu = inst.pid > 0 ? cpuMs(inst.pid) : undefined;
    return t;
  };
  try {
    await c.applyNetwork({ id: "qbw", cidr: "10.236.0.0/22", nat: true, dhcp: { enabled: true } });
    await c.applyImage(await guestImage("img"));
    const tpl = await c.applyTemplate({
      id: "tw",
      image_id: "img",
      network_id: "qbw",
      memory_mb: MEMORY_MB,
      wait_for: "ssh",
    });
    const stateMb = Number(tpl.state_bytes) / 1e6;
    const memoryMb = Number(tpl.memory_bytes) / 1e6;
    console.log(
      `template: boot->ready ${tpl.boot_ms} ms, unplug+save ${tpl.save_ms} ms, device state ${stateMb.toFixed(2)} MB, ` +
        `memory file ${memoryMb.toFixed(0)} MB on disk (of ${MEMORY_MB} MiB)`,
    );
    const cold: Timing[] = [];
    const warm: Timing[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      cold.push(await apply(spec(`cold${r}`, { image_id: "img" })));
      warm.push(await apply(spec(`warm${r}`, { template_id: "tw" })));
      await c.deleteInstance(`cold${r}`);
      await c.deleteInstance(`warm${r}`);
    }
    const ids = Array.from({ length: N }, (_, i) => i);
    const qvmdPid = agent.proc!.pid!;
    const wall = async (f: () => Promise<Timing[]>) => {
      const t0 = performance.now();
      const [h0, q0] = [hostCpu(), cpuMs(qvmdPid)];
      const each = await f();
      const [h1, q1] = [hostCpu(), cpuMs(qvmdPid)];
      const busy = (h1.busy - h0.busy) / (h1.total - h0.total);
      return { wall: performance.now() - t0, each, busy, qvmdCpu: q1 - q0 };
    };
    const coldN = await wall(() => Promise.all(ids.map((i) => apply(spec(`pc${i}`, { image_id: "img" })))));
    for (const i of ids) await c.deleteInstance(`pc${i}`);
    const warmN = await wall(() => Promise.all(ids.map((i) => apply(spec(`pw${i}`, { template_id: "tw" })))));
    for (const i of ids) await c.deleteInstance(`pw${i}`);

    const one = { cold: median(cold.map((t) => t.total)), clone: median(warm.map((t) => t.total)) };
    const row = (what: string, coldMs: number, warmMs: number, goal: string) =>
      console.log(
        `${what.padEnd(30)} cold ${coldMs.toFixed(0).padStart(6)} ms   clone ${warmMs.toFixed(0).padStart(6)} ms   ` +
          `cold/clone ${(coldMs / warmMs).toFixed(1)}x   clone goal ${goal}`,
      );
    console.log(
      `\nready = SSH banner; TCG, ${MEMORY_MB} MiB, 1 vCPU; one at a time: median of ${ROUNDS} rounds`,
    );
    row("one instance -> ready", one.cold, one.clone, `<= ${GOAL_ONE_MS} ms`);
    row(`${N} at once -> all ready`, coldN.wall, warmN.wall, N === 10 ? `<= ${GOAL_N_MS} ms` : "(N=10 only)");
    console.log(
      `  one at a time, cold: ${cold.map((t) => t.total.toFixed(0)).join(" ")}; clone: ${warm.map((t) => t.total.toFixed(0)).join(" ")}`,
    );

    // Where a clone's time goes: qvmd's restore breakdown, then DHCP (restored -> address seen),
    // then SSH (address -> banner), medians over the clones of each kind of run.
    const profile = (what: string, ts: Timing[]) => {
      const ok = ts.filter((t) => t.restore && t.restored !== undefined && t.address !== undefined);
      if (ok.length === 0) return console.log(`  ${what}: no breakdown (no progress seen)`);
      const parts = PHASES.map((p, i) => [p, median(ok.map((t) => t.restore![i] ?? NaN))] as const);
      const before = median(ok.map((t) => t.restored! - t.restore!.reduce((a, b) => a + b, 0)));
      const dhcp = median(ok.map((t) => t.address! - t.restored!));
      const ssh = median(ok.map((t) => t.total - t.address!));
      const cells = [
        ["call and record", before],
        ...parts,
        ["DHCP (plugged -> address)", dhcp],
        ["SSH (address -> banner)", ssh],
      ];
      console.log(
        `  ${what}: ${cells.map(([p, ms]) => `${p} ${Number(ms).toFixed(0)}`).join(", ")} (ms, medians)`,
      );
    };
    console.log("\nwhere a clone's time goes:");
    profile("one at a time", warm);
    profile(`${N} at once`, warmN.each);
    const cpu = (what: string, r: { wall: number; each: Timing[]; busy: number; qvmdCpu: number }) => {
      const q = r.each.reduce((a, t) => a + (t.qemuCpu ?? 0), 0);
      console.log(
        `  CPU, ${what}: host ${(r.busy * 100).toFixed(0)}% busy over ${r.wall.toFixed(0)} ms (both cores); ` +
          `the ${N} QEMUs used ${q.toFixed(0)} ms (${(q / N).toFixed(0)} each), qvmd ${r.qvmdCpu.toFixed(0)} ms`,
      );
    };
    const qcpu = (ts: Timing[]) => median(ts.map((t) => t.qemuCpu ?? NaN)).toFixed(0);
    console.log(
      `  CPU by ready, one at a time: a clone's QEMU ${qcpu(warm)} ms, a cold boot's ${qcpu(cold)} ms`,
    );
    cpu(`${N} clones at once`, warmN);
    cpu(`${N} cold boots at once`, coldN);
    const coldAddr = (ts: Timing[]) => median(ts.filter((t) => t.address).map((t) => t.address!));
    console.log(
      `  cold, for comparison: address seen at ${coldAddr(cold).toFixed(0)} ms (one), ${coldAddr(coldN.each).toFixed(0)} ms (${N}, median)`,
    );

    const base = { bench: "warmstart", peerName: "cold boot", unit: "ms", better: "lower" as const };
    // The goals are absolute (1 s, 3 s): as a limit on the ratio to this run's cold boot.
    record({
      ...base,
      figure: "clone -> SSH ready, one",
      ours: one.clone,
      peer: one.cold,
      goal: `<= ${GOAL_ONE_MS / 1000} s`,
      limit: GOAL_ONE_MS / one.cold,
    });
    record({
      ...base,
      figure: `clone -> SSH ready, ${N} at once`,
      ours: warmN.wall,
      peer: coldN.wall,
      goal: N === 10 ? `<= ${GOAL_N_MS / 1000} s` : "(report)",
      limit: N === 10 ? GOAL_N_MS / coldN.wall : Infinity,
    });
    record({
      ...base,
      figure: "template save (unplug + state)",
      ours: tpl.save_ms,
      peerName: "",
      goal: "(report)",
      limit: Infinity,
    });
    record({
      ...base,
      figure: "template device state file",
      ours: stateMb,
      peerName: "",
      unit: "MB",
      goal: "(report)",
      limit: Infinity,
      note: `memory file ${memoryMb.toFixed(0)} MB on disk`,
    });
  } finally {
    await agent.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
