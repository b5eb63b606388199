// Pure: a clone of an InstanceTemplate, as data: what it was started from (its key), its launch and
// its Apply's steps (run by the manager as an instance's are, plan.ts's vocabulary). The clone's QEMU
// is the template's machine exactly (same devices, root ports, boot files, memory size), started with
// -incoming: its RAM a private copy-on-write mapping of the template's memory file, its disk a fresh
// qcow2 layer over the template's frozen one, and vmgenid hands the guest a new generation id. After
// the device state is streamed in, the clone's own NICs (its MACs) are hot-plugged on the root ports
// the template's NIC was unplugged from: the guest sees a new NIC and asks for its own lease.
import { createHash } from "node:crypto";
import { resources } from "@pulumi-qemu/api";
import { names, type StatePaths } from "../constants";
import { type QemuNic, restoreUri } from "../qemu/argv";
import type { TemplateRecord } from "../state";
import type { PlannedLaunch } from "./host";
import { placeTap } from "./launch";
import type { ApplyFacts, ApplyPlan, Step } from "./plan";
import type { ResolvedInstance } from "./spec";

/** What a clone was started from: its template's build and its NICs; a difference means a restore. */
export function cloneKey(inst: ResolvedInstance, tpl: TemplateRecord): string {
  const key = { template: inst.template_id, at: tpl.createdAt, nics: inst.nics };
  return createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
}

/** The clone's launch, the template's machine with the clone's own files and TAPs. */
export function cloneLaunch(
  p: StatePaths,
  inst: Pick<ResolvedInstance, "id" | "template_id">,
  tpl: TemplateRecord,
  nics: QemuNic[],
): PlannedLaunch {
  const t = inst.template_id;
  return {
    name: names.qemu(inst.id),
    arch: tpl.machine.arch,
    accel: tpl.accel,
    machine: tpl.machine.machine,
    cpus: tpl.machine.cpus,
    memoryMb: tpl.machine.memoryMb,
    pidFile: p.instancePid(inst.id),
    qmpSocket: p.instanceQmp(inst.id),
    serialLog: p.instanceSerial(inst.id),
    disk: { path: p.instanceDisk(inst.id), format: "qcow2" },
    // The seed the template booted with: the same device, read-only, never read again.
    seed: p.templateSeed(t),
    ...tpl.boot,
    firmware: "bios",
    nics,
    hotplug: { rootPorts: resources.TEMPLATE_MAX_NICS, nicsLater: true },
    vmgenid: true,
    memoryFile: { path: p.templateMemory(t), shared: false },
    incoming: true,
    // Read by the launcher as root, handed to QEMU: QEMU never opens the state by its path.
    restoreFrom: p.templateState(t),
  };
}

/** Where a clone's start went (ms since it began), for the engine's log and bench/warmstart's profile. */
export function restoredMessage(
  templateId: string,
  ms: { total: number; launch: number; state: number; plug: number },
): string {
  const qemu = ms.total - ms.launch - ms.state - ms.plug;
  return (
    `restored from template ${templateId} in ${ms.total} ms; NICs plugged (disk and TAPs ${ms.launch} ms, ` +
    `QEMU start ${qemu} ms, state ${ms.state} ms, NIC plug ${ms.plug} ms)`
  );
}

/** An instance's facts (plan.ts) but its image and disk, which are its template's. */
export interface CloneFacts extends Omit<ApplyFacts, "image" | "diskExists"> {
  tpl: TemplateRecord;
  /**
   * Whether that QEMU runs its guest, restored with its NICs in: asked (cloneRunsGuest) only when it
   * runs this build and should run; otherwise undefined.
   */
  runsGuest?: boolean;
}

/**
 * A clone's Apply, in order: record (by the caller) → DHCP reservations → stop a QEMU that runs
 * another build or NICs, should not run, or does not run its guest (a crash mid-restore: restored
 * again rather than patched up) → start by restoring: a new disk layer (a disk that outlived the
 * memory written with it would not match it), TAPs, QEMU `incoming`, TAPs moved and attached, the
 * state restored and NICs plugged → the same waits as any instance. A failed start is undone as an
 * instance's is: what started is stopped and its TAPs removed; the record stays.
 */
export function planClone(f: CloneFacts): ApplyPlan {
  const { inst, tpl, existing, paths: p } = f;
  const key = cloneKey(inst, tpl);
  const name = names.qemu(inst.id);
  const qmpSocket = p.instanceQmp(inst.id);
  const restart = f.pid > 0 && existing?.launchKey !== key;
  const steps: Step[] = [...f.networks.keys()].map((networkId) => ({ op: "refreshDhcp", networkId }));
  // As an instance's (planApply): a TAP joins a host bridge only once the root namespace's fence
  // knows its NIC; without this a clone's TAP on a host bridge was the one NIC no fence covered.
  if (f.bridges.size > 0) steps.push({ op: "refreshHostFence" });
  let pid = f.pid;
  if (pid > 0 && (restart || !inst.running || !f.runsGuest)) {
    const message = inst.running ? "restoring again" : "stopping";
    steps.push({ op: "stop", name, pid, qmpSocket, message, graceMs: 0 });
    pid = 0;
  }
  let rollback: ApplyPlan["rollback"];
  if (inst.running && pid === 0) {
    const taps = inst.nics.map((n, i) => placeTap(inst.id, i, n, f.networks, f.bridges));
    const netns = taps[0]?.ns;
    const disk = p.instanceDisk(inst.id);
    const launch = cloneLaunch(
      p,
      inst,
      tpl,
      taps.map((t) => ({ tap: t.tap, mac: t.mac })),
    );
    const from = steps.length;
    steps.push(
      { op: "ensureVmDir", dir: p.instanceDir(inst.id) },
      { op: "createOverlay", disk, backing: { path: p.templateDisk(inst.template_id), format: "qcow2" } },
      ...taps.map((t): Step => ({ op: "createTap", ns: netns, tap: t.tap })),
      // The template's files are shared with QEMU's group since it was frozen; the disk is its own.
      { op: "launch", launch, accel: tpl.accel, netns, readable: [], writable: [disk] },
      ...taps.flatMap((t): Step[] => [
        { op: "moveTap", from: netns, to: t.ns, tap: t.tap },
        { op: "attachTap", ns: t.ns, tap: t.tap, master: t.master, mtu: t.mtu },
      ]),
      {
        op: "restore",
        qmpSocket,
        uri: restoreUri(launch),
        macs: inst.nics.map((n) => n.mac),
        templateId: inst.template_id,
      },
      { op: "launched", launchKey: key },
    );
    const undo: Step[] = [
      { op: "stopStarted", name, qmpSocket },
      ...taps.flatMap((t) =>
        [...new Set([netns, t.ns])].map((ns): Step => ({ op: "deleteTap", ns, tap: t.tap })),
      ),
    ];
    rollback = { from, to: steps.length, steps: undo };
  }
  if (!inst.running || inst.wait_for_ip_seconds === 0) steps.push({ op: "publishAddresses" });
  else {
    const seconds = inst.wait_for_ip_seconds;
    if (inst.nics.length > 0)
      steps.push({ op: "awaitAddresses", macs: inst.nics.map((n) => n.mac), seconds });
    // A clone's user-data ran in its template: that boot's serial log says whether it finished.
    const serialLog = inst.wait_for === "cloudInit" ? p.templateSerial(inst.template_id) : undefined;
    if (inst.wait_for !== "ip")
      steps.push({ op: "awaitReady", waitFor: inst.wait_for, seconds, ...(serialLog && { serialLog }) });
  }
  return {
    record: {
      blobs: [],
      diskGb: tpl.diskGb ?? 0,
      addresses: restart ? {} : (existing?.addresses ?? {}),
      launchKey: existing?.launchKey ?? key,
    },
    steps,
    rollback,
  };
}
