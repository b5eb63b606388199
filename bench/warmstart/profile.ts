// bench/warmstart's profile: where a clone's time goes on the wire (sniff.py on the network's
// bridge: DHCP messages, SYNs to port 22 and their answers, ARP requests) and where the host's CPU
// went while N clones came up (per process, from /proc). Reads only; asserts nothing.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StatePaths } from "../../agent/src/constants";
import { pidFromFile } from "../../agent/src/util/procscan";
import { median } from "../lib/results";

/** Where bench/profile's tracer writes qvmd's spans (WARMSTART_TRACE=1). */
export const TRACE_FILE = path.join(os.tmpdir(), `qvx-trace-${process.pid}.json`);

/** qvmd's environment for the tracer: preloaded through tsx, spans to TRACE_FILE at exit. */
export function tracing(): Record<string, string> {
  const root = path.resolve(__dirname, "..", "..");
  const preload = [
    path.join(root, "node_modules", "tsx", "dist", "cjs", "index.cjs"),
    path.join(root, "bench", "profile", "tracer.ts"),
  ];
  return { NODE_OPTIONS: preload.map((x) => `--require ${x}`).join(" "), QVMD_TRACE: TRACE_FILE };
}

export interface WireEvent {
  /** Wall clock, ms since the epoch (as Date.now()). */
  t: number;
  kind: "dhcp" | "syn" | "synack" | "banner" | "arp" | "arpreply";
  args: string[];
}

/** sniff.py in a network's namespace on its bridge, from start() until stop(). */
export class Sniffer {
  private child?: ChildProcess;
  private buf = "";
  readonly events: WireEvent[] = [];

  start(netns: string, ...ifnames: string[]): void {
    const script = path.join(__dirname, "sniff.py");
    this.child = spawn("ip", ["netns", "exec", netns, "python3", "-u", script, ...ifnames], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.child.stdout!.on("data", (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const [t, kind, ...args] = this.buf.slice(0, i).trim().split(" ");
        this.buf = this.buf.slice(i + 1);
        if (t && kind) this.events.push({ t: Number(t) * 1000, kind: kind as WireEvent["kind"], args });
      }
    });
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once("close", r));
    c.kill("SIGINT");
    await gone;
  }

  /** ARP requests seen between two instants. */
  arpRequests(from: number, to: number): number {
    return this.events
      .filter((e) => e.kind === "arp" && e.t >= from && e.t <= to + 100)
      .reduce((a, e) => a + Number(e.args[0]), 0);
  }
}

/** What the bench knows of one clone's ApplyInstance, wall clock (ms since the epoch). */
export interface CloneClock {
  mac: string;
  start: number;
  /** qvmd's "restored ... NICs plugged" progress: the NIC is in. */
  plugged?: number;
  /** qvmd's "address ..." progress: the lease was seen. */
  address?: number;
  end: number;
}

/** The steps from a plugged NIC to an SSH banner, as the wire and qvmd's progress saw them. */
export const WIRE_STEPS = [
  "NIC plugged -> DHCP discover (guest: hot-plug, uevent, udhcpc)",
  "discover -> offer (dnsmasq)",
  "offer -> request (guest)",
  "request -> ack (dnsmasq)",
  "ack -> address in qvmd (lease file, inotify)",
  "address -> first SYN (qvmd)",
  "first SYN -> SYN-ACK (guest: address up, dropbear)",
  "SYN-ACK -> banner (guest: dropbear)",
  "banner -> call returns (qvmd, gRPC)",
] as const;

/** One clone's steps (ms), NaN where the wire did not show one. */
export function wireSteps(c: CloneClock, ev: readonly WireEvent[]): number[] {
  const first = (pred: (e: WireEvent) => boolean, after = c.start) =>
    ev.find((e) => e.t >= after - 1 && pred(e))?.t ?? NaN;
  const dhcp = (type: string) => (e: WireEvent) =>
    e.kind === "dhcp" && e.args[0] === type && e.args[1] === c.mac;
  const discover = first(dhcp("discover"), c.plugged);
  const offer = first(dhcp("offer"), discover);
  const request = first(dhcp("request"), offer);
  const ackEv = ev.find((e) => e.t >= request && dhcp("ack")(e));
  const ip = ackEv?.args[2] ?? "";
  const ack = ackEv?.t ?? NaN;
  const syn = first((e) => e.kind === "syn" && e.args[0] === ip, ack);
  const synack = first((e) => e.kind === "synack" && e.args[0] === ip, syn);
  const banner = first((e) => e.kind === "banner" && e.args[0] === ip, synack);
  const at = [c.plugged ?? NaN, discover, offer, request, ack, c.address ?? NaN, syn, synack, banner, c.end];
  return at.slice(1).map((t, i) => t - at[i]!);
}

/** Medians of each step over some clones, one line. */
export function wireLine(what: string, clones: readonly CloneClock[], ev: readonly WireEvent[]): string {
  const steps = clones.map((c) => wireSteps(c, ev));
  const cells = WIRE_STEPS.map((name, i) => {
    const xs = steps.map((s) => s[i]!).filter((x) => !Number.isNaN(x));
    return `${name}: ${xs.length ? median(xs).toFixed(0) : "?"}`;
  });
  return `  ${what} (ms, medians of ${clones.length}):\n    ${cells.join("\n    ")}`;
}

interface ProcCpu {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, ms. */
  self: number;
  /** cutime + cstime: children that exited and were reaped (qvmd's execs), ms. */
  children: number;
  cmdline: string;
}

/**
 * Every process, keyed by pid and start time (clock ticks since boot): pids wrap (pid_max is 32768
 * here, and a run of ten clones forks thousands of commands), so a pid alone in the window's two
 * readings may be two processes, and the second's CPU would be counted from the first's.
 */
function readProcs(): Map<string, ProcCpu> {
  const out = new Map<string, ProcCpu>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const f = stat.slice(close + 2).split(" ");
      out.set(`${d}@${f[19]}`, {
        pid: Number(d),
        comm: stat.slice(stat.indexOf("(") + 1, close),
        ppid: Number(f[1]),
        self: (Number(f[11]) + Number(f[12])) * 10,
        children: (Number(f[13]) + Number(f[14])) * 10,
        cmdline: fs.readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " "),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time (ms) a process has used: utime + stime from /proc/<pid>/stat (100 ticks a second). */
export function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(x[11]) + Number(x[12])) * 10;
}

/**
 * Where a clone's time goes, medians: the call and record, qvmd's restore breakdown (`phases`), then
 * DHCP (restored -> address seen), then SSH (address -> banner).
 */
export function phaseLine(
  what: string,
  ts: { total: number; restore?: number[]; restored?: number; address?: number }[],
  phases: readonly string[],
): string {
  const ok = ts.filter((t) => t.restore && t.restored !== undefined && t.address !== undefined);
  if (ok.length === 0) return `  ${what}: no breakdown (no progress seen)`;
  const parts = phases.map((p, i) => [p, median(ok.map((t) => t.restore![i] ?? NaN))] as const);
  const before = median(ok.map((t) => t.restored! - t.restore!.reduce((a, b) => a + b, 0)));
  const cells = [
    ["call and record", before],
    ...parts,
    ["DHCP (plugged -> address)", median(ok.map((t) => t.address! - t.restored!))],
    ["SSH (address -> banner)", median(ok.map((t) => t.total - t.address!))],
  ];
  return `  ${what}: ${cells.map(([p, ms]) => `${p} ${Number(ms).toFixed(0)}`).join(", ")} (ms, medians)`;
}

/** An instance's QEMU CPU time (ms) now, by its id (undefined when it does not run). */
export const qemuCpuReader = (store: StatePaths) => (id: string) => {
  const pid = pidFromFile(store.instancePid(id));
  try {
    return pid ? cpuMs(pid) : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
};

/** CPU per second of wall time (ms/s) a process uses over `ms`, read by `read` at both ends. */
export async function idleCpu(read: () => number | undefined, ms: number): Promise<number> {
  const [c0, t0] = [read(), performance.now()];
  await new Promise((r) => setTimeout(r, ms));
  const c1 = read();
  return c0 === undefined || c1 === undefined ? NaN : ((c1 - c0) * 1000) / (performance.now() - t0);
}

/**
 * A clone's QEMU CPU by phase, medians: its start, restore and NIC plug (read at qvmd's "restored"
 * progress), then the guest until the address (hot-plug, DHCP), then until the SSH banner.
 */
export function cpuByPhase(ts: { cpuRestored?: number; cpuAddress?: number; qemuCpu?: number }[]): string {
  const ok = ts.filter((t) => t.cpuRestored !== undefined && t.cpuAddress !== undefined && t.qemuCpu);
  const m = (f: (t: (typeof ok)[number]) => number) => median(ok.map(f)).toFixed(0);
  return (
    `to restored+plugged ${m((t) => t.cpuRestored!)}, then to address ${m((t) => t.cpuAddress! - t.cpuRestored!)}, ` +
    `then to SSH ${m((t) => t.qemuCpu! - t.cpuAddress!)} (of ${ok.length})`
  );
}

/** The host's busy and total CPU time (ms, all cores) so far, from /proc/stat. */
export function hostCpu(): { busy: number; total: number } {
  const v = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0) * 10;
  return { busy: total - (v[3]! + v[4]!) * 10, total };
}

/**
 * CPU used over a window, by whom: the clones' QEMUs, qvmd itself, the commands qvmd ran and
 * reaped (ip, nft, arpscan's python, qemu-img, the QEMU launcher), its DNS process, the network's
 * dnsmasq, this bench, and everything else on the host (other work sharing the two cores).
 */
export class CpuWindow {
  private before = new Map<string, ProcCpu>();
  private host0 = hostCpu();
  private bench0 = process.cpuUsage();
  private t0 = performance.now();

  constructor(
    private readonly qvmdPid: number,
    /** The agent's directory: in the command line of its QEMUs and dnsmasq. */
    private readonly agentDir: string,
  ) {}

  start(): void {
    this.before = readProcs();
    this.host0 = hostCpu();
    this.bench0 = process.cpuUsage();
    this.t0 = performance.now();
  }

  stop(): { wallMs: number; busyMs: number; parts: [string, number][] } {
    const after = readProcs();
    const host1 = hostCpu();
    const wallMs = performance.now() - this.t0;
    const bench = process.cpuUsage(this.bench0);
    const sum: Record<string, number> = {};
    const add = (k: string, v: number) => (sum[k] = (sum[k] ?? 0) + Math.max(0, v));
    for (const [key, p] of after) {
      const pid = p.pid;
      const b = this.before.get(key);
      const self = p.self - (b?.self ?? 0);
      if (pid === this.qvmdPid) {
        add("qvmd (its own thread pool included)", self);
        add(
          "commands qvmd ran (ip, nft, python arpscan, qemu-img, launcher)",
          p.children - (b?.children ?? 0),
        );
      } else if (p.ppid === this.qvmdPid && p.cmdline.includes("qvmd-dns")) add("qvmd's DNS process", self);
      else if (p.comm.startsWith("qemu-system") && p.cmdline.includes(this.agentDir))
        add("the clones' QEMUs", self);
      else if (p.comm === "dnsmasq" && p.cmdline.includes(this.agentDir)) add("dnsmasq", self);
      else if (p.cmdline.includes("sniff.py")) add("this bench's sniffer (python)", self);
    }
    add("this bench (gRPC client, sniffer's pipe)", (bench.user + bench.system) / 1000);
    // The machine's busy time over the window (all cores), whoever used it.
    const busyMs = host1.busy - this.host0.busy;
    const ours = Object.values(sum).reduce((a, b) => a + b, 0);
    return {
      wallMs,
      busyMs,
      parts: [...Object.entries(sum), ["everything else on the host", busyMs - ours]],
    };
  }
}
