// Warm start vs cold boot, in the same run, through a real qvmd and the tiny test guest (TCG):
//   cold   ApplyInstance from the Image, waitFor ssh: QEMU start -> boot -> DHCP -> SSH banner
//   clone  ApplyInstance from an InstanceTemplate of the same guest, waitFor ssh: disk layer and
//          TAP -> QEMU start -> device state streamed in -> NIC hot-plug -> DHCP -> SSH banner
// one at a time (median of ROUNDS, cold and clone alternating) and N at once (wall time until all
// answer SSH), the template's boot, save time and sizes, and where a clone's time goes (from the
// timestamps of qvmd's progress messages and the restore's own breakdown). Prints milliseconds and
// ratios, appends rows to $BENCH_RESULTS for `make bench`; asserts nothing.
// The profile (profile.ts): each clone's steps on the wire (sniff.py on the bridge) and the host's
// CPU by process while the N clones came up.
// Usage: tsx bench/warmstart/run.ts [N=10] [ROUNDS=3] [MEMORY_MB=256]   (root, under the host lock)
// WARMSTART_COLD_N=0 skips the N cold boots at once (~50 s): a quicker run for the clone figures.
// WARMSTART_TRACE=1 runs qvmd with bench/profile's tracer and prints where a clone's ApplyInstance
// spends its time inside qvmd, one at a time and N at once (the tracer slows qvmd a little).
import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceSpec } from "@pulumi-qemu/api";
import { names, paths } from "../../agent/src/constants";
import { guestImage } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { median, record } from "../lib/results";
import {
  type CloneClock,
  CpuWindow,
  Sniffer,
  TRACE_FILE,
  cpuByPhase,
  cpuMs,
  hostCpu,
  idleCpu,
  phaseLine,
  qemuCpuReader,
  tracing,
  wireLine,
} from "./profile";
import { profile, toText } from "../profile/tree";
import type { Span } from "../profile/tracer";

const N = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const MEMORY_MB = Number(process.argv[4] ?? 256);
const COLD_N = process.env.WARMSTART_COLD_N !== "0";
const TRACE = process.env.WARMSTART_TRACE === "1";
/** The goals for clones, absolute: one ready in 1 s, N=10 at once in 3 s. */
const GOAL_ONE_MS = 1000;
const GOAL_N_MS = 3000;

const mac = (k: number) =>
  `52:54:00:4d:${(k >> 8).toString(16).padStart(2, "0")}:${(k & 255).toString(16).padStart(2, "0")}`;

/** One ApplyInstance: its wall time and when (ms from its start) each phase ended. */
interface Timing {
  total: number;
  /** The QEMU's CPU time when the call returned (ms). */
  qemuCpu?: number;
  /** Clone only: its QEMU's CPU time (ms) when qvmd said it was restored (QEMU start, state, NIC plug). */
  cpuRestored?: number;
  /** Its QEMU's CPU time (ms) when qvmd saw the address. */
  cpuAddress?: number;
  /** Clone only: disk and TAPs, QEMU start, state, NIC plug (qvmd's own breakdown). */
  restore?: number[];
  restored?: number;
  address?: number;
  /** Wall clock (Date.now()) of the same instants, for the wire profile. */
  clock: CloneClock;
}

const PHASES = ["disk and TAPs", "QEMU start", "state", "NIC plug"];

async function main(): Promise<void> {
  const agent = new TestAgent(TRACE ? tracing() : {});
  const qemuCpuOf = qemuCpuReader(paths({ stateDir: agent.stateDir, runDir: agent.runDir }));
  const c = await agent.start();
  const sniffer = new Sniffer();
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
    const t: Timing = { total: 0, clock: { mac: s.nics?.[0]?.mac ?? "", start: Date.now(), end: 0 } };
    const inst = await c.applyInstance(s, (p) => {
      const at = performance.now() - t0;
      const m = /^restored from template \S+ in \d+ ms; NICs plugged \((.*)\)/.exec(p.message);
      if (m) {
        t.restored = at;
        t.clock.plugged = Date.now();
        t.restore = [...m[1]!.matchAll(/(\d+) ms/g)].map((x) => Number(x[1]));
        t.cpuRestored = qemuCpuOf(s.id ?? "");
      }
      if (p.message.startsWith("address ")) {
        t.address = at;
        t.cpuAddress = qemuCpuOf(s.id ?? "");
        t.clock.address = Date.now();
      }
    });
    t.total = performance.now() - t0;
    t.clock.end = Date.now();
    t.qemuCpu = inst.pid > 0 ? cpuMs(inst.pid) : undefined;
    return t;
  };
  try {
    await c.applyNetwork({ id: "qbw", cidr: "10.236.0.0/22", nat: true, dhcp: { enabled: true } });
    sniffer.start(names.netns("qbw"), names.bridge("qbw"), names.nsVeth("qbw"));
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
    /** A ready clone's QEMU CPU per second of wall time, idle (nothing asks anything of its guest). */
    const idle: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      cold.push(await apply(spec(`cold${r}`, { image_id: "img" })));
      warm.push(await apply(spec(`warm${r}`, { template_id: "tw" })));
      idle.push(await idleCpu(() => qemuCpuOf(`warm${r}`), 2000));
      await c.deleteInstance(`cold${r}`);
      await c.deleteInstance(`warm${r}`);
    }
    const ids = Array.from({ length: N }, (_, i) => i);
    const qvmdPid = agent.proc!.pid!;
    const window = new CpuWindow(qvmdPid, agent.dir);
    const wall = async (f: () => Promise<Timing[]>) => {
      const t0 = performance.now();
      const [h0, q0] = [hostCpu(), cpuMs(qvmdPid)];
      window.start();
      const each = await f();
      const cpuBy = window.stop();
      const [h1, q1] = [hostCpu(), cpuMs(qvmdPid)];
      const busy = (h1.busy - h0.busy) / (h1.total - h0.total);
      return { wall: performance.now() - t0, each, busy, qvmdCpu: q1 - q0, cpuBy };
    };
    const none = { wall: NaN, each: [] as Timing[], busy: NaN, qvmdCpu: NaN, cpuBy: undefined };
    const coldN = COLD_N
      ? await wall(() => Promise.all(ids.map((i) => apply(spec(`pc${i}`, { image_id: "img" })))))
      : none;
    if (COLD_N) for (const i of ids) await c.deleteInstance(`pc${i}`);
    const warmN = await wall(() => Promise.all(ids.map((i) => apply(spec(`pw${i}`, { template_id: "tw" })))));
    for (const i of ids) await c.deleteInstance(`pw${i}`);
    await sniffer.stop();

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

    console.log("\nwhere a clone's time goes:");
    console.log(phaseLine("one at a time", warm, PHASES));
    console.log(phaseLine(`${N} at once`, warmN.each, PHASES));
    console.log("\nwhere a clone's time goes on the wire (bridge capture) and in qvmd's progress:");
    console.log(
      wireLine(
        "one at a time",
        warm.map((t) => t.clock),
        sniffer.events,
      ),
    );
    console.log(
      wireLine(
        `${N} at once`,
        warmN.each.map((t) => t.clock),
        sniffer.events,
      ),
    );
    const span = (ts: Timing[]) => [
      Math.min(...ts.map((t) => t.clock.start)),
      Math.max(...ts.map((t) => t.clock.end)),
    ];
    const [a0, a1] = span(warmN.each);
    console.log(
      `  ARP requests on the bridge: ${N} clones at once ${sniffer.arpRequests(a0!, a1!)}; ` +
        `one clone (median) ${median(warm.map((t) => sniffer.arpRequests(t.clock.start, t.clock.end)))}`,
    );
    // Every event with every clone's clock, for a closer look than the medians above.
    const wireLog = path.join(__dirname, "..", "..", ".state", "bench", "warmstart-wire.json");
    fs.mkdirSync(path.dirname(wireLog), { recursive: true });
    const clocks = { one: warm.map((t) => t.clock), many: warmN.each.map((t) => t.clock) };
    fs.writeFileSync(wireLog, JSON.stringify({ clocks, events: sniffer.events }));
    console.log(`  (every wire event and clone clock: ${path.relative(process.cwd(), wireLog)})`);
    if (warmN.cpuBy) {
      console.log(
        `  CPU while ${N} clones came up (ms; wall ${warmN.cpuBy.wallMs.toFixed(0)} ms, ` +
          `${(warmN.cpuBy.wallMs * 2).toFixed(0)} ms of two cores, ${warmN.cpuBy.busyMs.toFixed(0)} used):`,
      );
      for (const [who, ms] of warmN.cpuBy.parts) console.log(`    ${who}: ${ms.toFixed(0)}`);
    }
    const cpu = (what: string, r: { wall: number; each: Timing[]; busy: number; qvmdCpu: number }) => {
      const q = r.each.reduce((a, t) => a + (t.qemuCpu ?? 0), 0);
      console.log(
        `  CPU, ${what}: host ${(r.busy * 100).toFixed(0)}% busy over ${r.wall.toFixed(0)} ms (both cores); ` +
          `the ${N} QEMUs used ${q.toFixed(0)} ms (${(q / N).toFixed(0)} each), qvmd ${r.qvmdCpu.toFixed(0)} ms`,
      );
    };
    const qcpu = (ts: Timing[]) => median(ts.map((t) => t.qemuCpu ?? NaN)).toFixed(0);
    console.log(`  a clone's QEMU CPU by phase (ms, medians), one at a time: ${cpuByPhase(warm)}`);
    console.log(`  the same, ${N} at once: ${cpuByPhase(warmN.each)}`);
    console.log(
      `  a ready clone's QEMU, idle: ${median(idle).toFixed(0)} ms of CPU per second (${idle.map((x) => x.toFixed(0)).join(" ")})`,
    );
    console.log(
      `  CPU by ready, one at a time: a clone's QEMU ${qcpu(warm)} ms, a cold boot's ${qcpu(cold)} ms`,
    );
    cpu(`${N} clones at once`, warmN);
    if (COLD_N) cpu(`${N} cold boots at once`, coldN);
    const coldAddr = (ts: Timing[]) => median(ts.filter((t) => t.address).map((t) => t.address!));
    console.log(
      `  cold, for comparison: address seen at ${coldAddr(cold).toFixed(0)} ms (one), ${coldAddr(coldN.each).toFixed(0)} ms (${N}, median)`,
    );
    // A quick run (no cold boots at once) is for looking, not for the table.
    if (!COLD_N) return;

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
    await sniffer.stop();
    await agent.stop();
  }
  if (TRACE && fs.existsSync(TRACE_FILE)) {
    const spans = JSON.parse(fs.readFileSync(TRACE_FILE, "utf8")) as Span[];
    fs.rmSync(TRACE_FILE, { force: true });
    for (const [what, ids] of [
      ["one at a time", /^warm\d+$/],
      [`${N} at once`, /^pw\d+$/],
    ] as const) {
      console.log(`\nqvmd's ApplyInstance of a clone, ${what} (tracer; ms per call):`);
      console.log(
        toText(
          profile(spans, "Instances.apply", (x) => ids.test(x.arg ?? "")),
          5,
        ),
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
