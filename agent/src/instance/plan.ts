// What applying an instance does, as a plain function of what is known: the record to write, then
// the ordered steps (DHCP reservations, disk, seed, stop, start, addresses) and what undoes a failed
// start (a clone of a template: clone.ts planClone). Data only, no I/O and no calls: admission.ts
// gathers the facts and writes the record, the manager runs the steps, each one host call. What is
// launched is launch.ts; changing the order of anything an instance does on the host happens here.
import { names, type StatePaths } from "../constants";
import { QvmdError } from "../errors";
import type { ResolvedNetwork } from "../network/spec";
import type { AccelDecision } from "../qemu/accel";
import type { Arch } from "../qemu/argv";
import type { EarlyLauncher } from "../qemu/process";
import type { InstanceRecord } from "../state";
import type { HostBridge } from "./discovery";
import type { PlannedLaunch, SeedFiles, Spawned } from "./host";
import { type ImageFacts, instanceLaunch, launchKey, placeTap, seedFiles, type TapPlace } from "./launch";
import type { EarlySsh } from "./ready";
import type { ResolvedInstance } from "./spec";

/** How long a guest gets to power off on ACPI before QEMU is told to quit. */
export const STOP_GRACE_MS = 10000;

export const GiB = 1024 ** 3;

export interface ApplyFacts {
  inst: ResolvedInstance;
  image: ImageFacts;
  networks: ReadonlyMap<string, ResolvedNetwork>;
  bridges: ReadonlyMap<string, HostBridge>;
  existing?: InstanceRecord;
  /** The running QEMU's pid, 0 when none runs. */
  pid: number;
  diskExists: boolean;
  paths: StatePaths;
}

export type Step =
  | { op: "refreshDhcp"; networkId: string }
  // The root namespace's guest fence, for NICs on host bridges (networks fence in refreshDhcp).
  | { op: "refreshHostFence" }
  // sizeGb undefined: the backing file's size (a clone's layer).
  | { op: "createOverlay"; disk: string; backing: { path: string; format: string }; sizeGb?: number }
  | { op: "resizeRunning"; qmpSocket: string; device: string; bytes: number }
  | { op: "resizeOverlay"; disk: string; sizeGb: number }
  | { op: "buildSeed"; file: string; files: SeedFiles }
  | { op: "stop"; name: string; pid: number; qmpSocket: string; message: string; graceMs: number }
  // Starting: the probe's answer is the accelerator of the launch that follows.
  | { op: "probeAccel"; arch: Arch }
  // `attach`: the TAP joins its bridge at once (it stays in the namespace it is made in).
  // A clone's TAPs, made before its QEMU (an instance's own are made by its launcher: launch.ts).
  | { op: "createTap"; ns?: string; tap: string }
  | { op: "prepareUefiVars"; arch: Arch; file: string }
  | {
      op: "launch";
      launch: Omit<PlannedLaunch, "accel">;
      accel?: "kvm" | "tcg";
      netns?: string;
      /** The image's files QEMU reads (backing blob, kernel, initrd). */
      readable: string[];
      /** Files QEMU writes, given to it (a clone's disk). */
      writable?: string[];
    }
  // A clone: its directory before its disk; its state restored into the QEMU started `incoming`
  // (restoreUri), then its own NICs plugged.
  | { op: "ensureVmDir"; dir: string }
  | { op: "restore"; qmpSocket: string; uri: string; macs: string[]; templateId: string }
  // The launch's launcher, started while the preparation runs; it waits, opening nothing, until
  // the launch that follows lets it go.
  | { op: "startLauncher"; launch: Omit<PlannedLaunch, "accel">; accel?: "kvm" | "tcg"; netns?: string }
  | { op: "moveTap"; from?: string; to?: string; tap: string }
  | { op: "attachTap"; ns?: string; tap: string; master: string; mtu?: number }
  | { op: "launched"; launchKey: string }
  // Undoing a start: stop whatever QEMU of this name runs now, remove a TAP wherever it is.
  | { op: "stopStarted"; name: string; qmpSocket: string }
  | { op: "deleteTap"; ns?: string; tap: string }
  | { op: "awaitAddresses"; macs: string[]; seconds: number }
  // waitFor cloudInit | ssh, within what is left of the addresses' deadline; serialLog: where
  // cloud-init's message is (a clone's user-data ran in its template), by default the instance's.
  | { op: "awaitReady"; waitFor: "cloudInit" | "ssh"; seconds: number; serialLog?: string }
  | { op: "publishAddresses" }
  // Steps that need nothing of each other, run at once; all of them finish before a failure counts.
  | { op: "together"; steps: Step[] };

/**
 * What the steps of one Apply share (the manager runs them): the accelerator probed (and the probe
 * itself), when the waits, a clone's start and its QEMU began, the launcher started early; and
 * (ready.ts) whether the caller went away and the SSH wait started at the lease.
 */
export interface ApplyRun extends EarlySsh {
  accel: "kvm" | "tcg";
  waitFrom: number;
  wait: boolean;
  startedAt: number;
  launchedAt: number;
  probe?: Promise<AccelDecision>;
  early?: EarlyLauncher;
  /** The launcher's process, spawned before the record (early.ts). */
  spawned?: Spawned;
}

export interface ApplyPlan {
  record: Omit<InstanceRecord, "spec" | "createdAt">;
  steps: Step[];
  /**
   * When a step in steps[from, to) (the start) fails, these run instead of the rest: a half-started
   * VM (QEMU up, a TAP not attached) is stopped and its TAPs removed. The record stays, so the next
   * Apply starts again from nothing. A VM that started but finds no address is left running.
   */
  rollback?: { from: number; to: number; steps: Step[] };
}

/**
 * Starting: QEMU's launcher makes the TAPs in the first NIC's namespace, where QEMU runs, and joins
 * those that stay there to their bridge (launch.ts instanceLaunch: no `ip` exec on the way to the
 * start); the others, once QEMU holds them, move to their own namespace (a TAP keeps its open file)
 * and join their bridge there. `prepare` are the steps before the launch, which need nothing of
 * each other.
 */
function startSteps(f: ApplyFacts, key: string): { prepare: Step[]; steps: Step[]; rollback: Step[] } {
  const { inst, image: img, paths: p } = f;
  const taps = inst.nics.map((n, i) => placeTap(inst.id, i, n, f.networks, f.bridges));
  const primaryNs = taps[0]?.ns;
  const vars = p.instanceVars(inst.id);
  const launch = instanceLaunch(f, taps);
  const stays = (t: TapPlace) => t.ns === primaryNs;
  const prepare: Step[] = [
    ...(inst.accel === "auto" ? [{ op: "probeAccel", arch: img.arch } as const] : []),
    // A TAP outlives its QEMU: one the last run moved out of the primary namespace would block
    // this run's move of the same name.
    ...taps.filter((t) => !stays(t)).map((t): Step => ({ op: "deleteTap", ns: t.ns, tap: t.tap })),
    ...(img.firmware === "uefi" ? [{ op: "prepareUefiVars", arch: img.arch, file: vars } as const] : []),
  ];
  const steps: Step[] = [
    {
      op: "launch",
      launch,
      ...(inst.accel === "auto" ? {} : { accel: inst.accel === "kvm" ? "kvm" : "tcg" }),
      netns: primaryNs,
      readable: [img.path, img.kernelPath, img.initrdPath].filter((f): f is string => !!f),
    },
    ...taps
      .filter((t) => !stays(t))
      .flatMap((t): Step[] => [
        { op: "moveTap", from: primaryNs, to: t.ns, tap: t.tap },
        { op: "attachTap", ns: t.ns, tap: t.tap, master: t.master, mtu: t.mtu },
      ]),
    { op: "launched", launchKey: key },
  ];
  const rollback: Step[] = [
    { op: "stopStarted", name: launch.name, qmpSocket: launch.qmpSocket },
    ...taps.flatMap((t) =>
      [...new Set([primaryNs, t.ns])].map((ns): Step => ({ op: "deleteTap", ns, tap: t.tap })),
    ),
  ];
  return { prepare, steps, rollback };
}

/**
 * Apply, in order: record (by the caller) → DHCP reservations of every network → the overlay
 * (created, or grown: through QMP while running, qemu-img when stopped) → the seed → stop when the
 * launch changed or the VM should not run → start (see startSteps) → wait for the addresses (or
 * just publish what is known).
 */
export function planApply(f: ApplyFacts): ApplyPlan {
  const { inst, image, existing, pid, paths: p } = f;
  const diskGb = inst.disk_gb || Math.max(1, Math.ceil(image.virtualSizeBytes / GiB));
  if (existing && diskGb < existing.diskGb)
    throw new QvmdError(
      "invalid",
      "DISK_SHRINK",
      `diskGb ${diskGb} is smaller than the current ${existing.diskGb}; disks only grow`,
      { property: "diskGb" },
    );
  const key = launchKey(inst, image.sha256);
  // launchKey is "" from the record of a start until its "launched" step: a QEMU found running with
  // "" was cut short by a crash (what follows the launch never ran), and is started again, at once.
  // A fresh start with nothing after its launch (its launcher joins every TAP before QEMU starts:
  // none moves) records its key with the spec: a QEMU found running is whole, and "launched" then
  // writes nothing, one fsync'd write fewer before the answer. A restart never does: the old QEMU
  // runs under the record until it is stopped.
  const cutShort = pid > 0 && existing !== undefined && existing.launchKey === "";
  const mustRestart = pid > 0 && existing !== undefined && existing.launchKey !== key;
  // The fences learn the NICs from the record. A TAP of ours in a network's bridge before its fence
  // knows it passes nothing (the network's fence exists from its create and fails closed,
  // fence/render.ts), so a fresh start renders those beside QEMU's launch, off the critical path.
  // The host bridges' fence exists only while a NIC is on one: it is rendered before any TAP joins.
  const fences: Step[] = [...f.networks.keys()].map((networkId) => ({ op: "refreshDhcp", networkId }));
  const steps: Step[] = f.bridges.size > 0 ? [{ op: "refreshHostFence" }] : [];
  const disk = p.instanceDisk(inst.id);
  if (!f.diskExists)
    steps.push({
      op: "createOverlay",
      disk,
      backing: { path: image.path, format: image.format },
      sizeGb: diskGb,
    });
  else if (existing && diskGb > existing.diskGb)
    steps.push(
      pid > 0
        ? { op: "resizeRunning", qmpSocket: p.instanceQmp(inst.id), device: "disk0", bytes: diskGb * GiB }
        : { op: "resizeOverlay", disk, sizeGb: diskGb },
    );
  steps.push({ op: "buildSeed", file: p.instanceSeed(inst.id), files: seedFiles(inst) });
  if (mustRestart || (!inst.running && pid > 0))
    steps.push({
      op: "stop",
      name: names.qemu(inst.id),
      pid,
      qmpSocket: p.instanceQmp(inst.id),
      message: cutShort
        ? "restarting: its last start was cut short"
        : mustRestart
          ? "restarting to apply changes"
          : "stopping",
      graceMs: cutShort ? 0 : STOP_GRACE_MS,
    });
  let rollback: ApplyPlan["rollback"];
  let whole = false;
  const starts = inst.running && (mustRestart || pid === 0);
  if (starts) {
    const start = startSteps(f, key);
    if (pid === 0) {
      // Nothing runs: the host fence, the disk and seed, and the start's preparation need nothing
      // of each other and run at once (a restart keeps them in order: the old QEMU still holds the
      // TAPs until it is stopped). QEMU's launcher starts with them too: its own start (a namespace
      // switch, an interpreter, ~the preparation's time) overlaps them, and it opens nothing until
      // the launch lets it go. The networks' reservations and fences run beside the launch: the
      // guest's first packet is seconds away, and until its fence knows it, it passes nothing.
      const launchStep = start.steps.shift() as Extract<Step, { op: "launch" }>;
      const { launch, accel, netns } = launchStep;
      const early: Step = { op: "startLauncher", launch, accel, netns };
      steps.splice(0, steps.length, { op: "together", steps: [...steps, ...start.prepare, early] });
      steps.push(fences.length > 0 ? { op: "together", steps: [launchStep, ...fences] } : launchStep);
      rollback = { from: 0, to: 2 + start.steps.length, steps: start.rollback };
      whole = !start.steps.some((s) => s.op === "moveTap");
    } else {
      steps.unshift(...fences);
      rollback = {
        from: steps.length,
        to: steps.length + start.prepare.length + start.steps.length,
        steps: start.rollback,
      };
      steps.push(...start.prepare);
    }
    steps.push(...start.steps);
  } else steps.unshift(...fences);
  const waiting = inst.running && inst.wait_for_ip_seconds > 0;
  if (waiting && inst.nics.length > 0)
    steps.push({
      op: "awaitAddresses",
      macs: inst.nics.map((n) => n.mac),
      seconds: inst.wait_for_ip_seconds,
    });
  else steps.push({ op: "publishAddresses" });
  if (waiting && inst.wait_for !== "ip")
    steps.push({ op: "awaitReady", waitFor: inst.wait_for, seconds: inst.wait_for_ip_seconds });
  return {
    record: {
      blobs: [image.sha256, image.kernelSha256, image.initrdSha256].filter((b): b is string => !!b),
      diskGb,
      addresses: mustRestart ? {} : (existing?.addresses ?? {}),
      launchKey: whole ? key : starts || !existing ? "" : existing.launchKey,
    },
    steps,
    rollback,
  };
}
