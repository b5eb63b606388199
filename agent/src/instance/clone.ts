// Instances restored from an InstanceTemplate. The clone's QEMU is the template's machine exactly
// (same devices, root ports, boot files, memory size), started with -incoming: its RAM a private
// copy-on-write mapping of the template's memory file, its disk a fresh qcow2 layer over the
// template's frozen one, and vmgenid hands the guest a new generation id. After the device state is
// streamed in, the clone's own NICs (its MACs) are hot-plugged on the root ports the template's NIC
// was unplugged from: the guest sees a new NIC and asks for its own lease.
import * as fs from "node:fs/promises";
import { createHash } from "node:crypto";
import { resources } from "@pulumi-qemu/api";
import { names, type StatePaths } from "../constants";
import type { Networks } from "../network/manager";
import { type QemuNic, restoreUri } from "../qemu/argv";
import { QmpClient } from "../qemu/qmp";
import type { StateStore, TemplateRecord } from "../state";
import { plugNics, restoreState } from "../template/migrate";
import { run } from "../util/exec";
import type { InstanceAddresses } from "./addresses";
import type { References } from "./conflicts";
import type { InstanceHost, PlannedLaunch } from "./host";
import { placeTap } from "./launch";
import type { InstanceSpec, ResolvedInstance } from "./spec";

const RESTORE_TIMEOUT_MS = 60000;

/** Pure: the clone's launch, the template's machine with the clone's own files and TAPs. */
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

/** What a clone's Apply uses of the instance manager. */
export interface CloneCtx {
  p: StatePaths;
  state: StateStore;
  host: InstanceHost;
  networks: Networks;
  addresses: InstanceAddresses;
  accelInUse: Map<string, string>;
}

/**
 * ApplyInstance of a clone: record first, then (re)start by restoring when it is not running its
 * guest, then the same waits as any instance. A clone restarted is the template's guest again: its
 * disk layer is new, because a disk that outlived the memory written with it would not match it.
 */
export async function applyClone(
  c: CloneCtx,
  spec: InstanceSpec,
  inst: ResolvedInstance,
  refs: References,
  progress: (m: string) => void,
  uid: number,
): Promise<void> {
  const tpl = c.state.templates[inst.template_id]!;
  const existing = c.state.instances[inst.id];
  const key = createHash("sha256")
    .update(JSON.stringify({ template: inst.template_id, at: tpl.createdAt, nics: inst.nics }))
    .digest("hex")
    .slice(0, 16);
  const name = names.qemu(inst.id);
  let pid = (await c.host.findQemu(name)) ?? 0;
  const restart = pid > 0 && existing?.launchKey !== key;
  await c.state.update((d) => {
    d.instances[inst.id] = {
      spec,
      uid: existing ? existing.uid : uid,
      blobs: [],
      diskGb: tpl.diskGb ?? 0,
      addresses: restart ? {} : (existing?.addresses ?? {}),
      launchKey: existing?.launchKey ?? key,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
  });
  for (const id of refs.networks.keys()) await c.networks.refreshDhcp(id);
  const macs = inst.nics.map((n) => n.mac);
  // A clone found mid-restore (a crash) is restored again rather than patched up.
  if (pid > 0 && (restart || !inst.running || !(await cloneIsRunning(c.p.instanceQmp(inst.id), macs)))) {
    progress(inst.running ? "restoring again" : "stopping");
    await c.host.stopQemu({ name, qmpSocket: c.p.instanceQmp(inst.id), pid }, { graceMs: 0 });
    pid = 0;
  }
  if (inst.running && pid === 0) {
    const t0 = Date.now();
    const places = inst.nics.map((n, i) => placeTap(inst.id, i, n, refs.networks, refs.bridges));
    const netns = places[0]?.ns;
    await c.host.ensureVmDir(c.p.instanceDir(inst.id));
    const disk = c.p.instanceDisk(inst.id);
    await fs.rm(disk, { force: true });
    await run("qemu-img", [
      "create",
      "-q",
      "-f",
      "qcow2",
      "-F",
      "qcow2",
      "-b",
      c.p.templateDisk(inst.template_id),
      disk,
    ]);
    for (const t of places) await c.host.createTap(netns, t.tap);
    await fs.rm(c.p.instanceSerial(inst.id), { force: true });
    const t1 = Date.now();
    const launch = cloneLaunch(
      c.p,
      inst,
      tpl,
      places.map((t) => ({ tap: t.tap, mac: t.mac })),
    );
    // The template's files are shared with QEMU's group since it was frozen; the clone's disk is its own.
    await c.host.launchQemu(launch, { netns, writable: [disk] });
    c.accelInUse.set(inst.id, tpl.accel);
    for (const t of places) {
      await c.host.moveTap(netns, t.ns, t.tap);
      await c.host.attachTap(t.ns, t.tap, t.master, t.mtu);
    }
    const qmp = await QmpClient.connect(c.p.instanceQmp(inst.id), { timeoutMs: 5000 });
    const t2 = Date.now();
    let t3 = t2;
    try {
      await restoreState(qmp, restoreUri(launch), RESTORE_TIMEOUT_MS);
      t3 = Date.now();
      await plugNics(qmp, macs);
    } finally {
      qmp.close();
    }
    const t4 = Date.now();
    // Where the time goes, for the engine's log and bench/warmstart's profile.
    progress(
      `restored from template ${inst.template_id} in ${t4 - t0} ms; NICs plugged ` +
        `(disk and TAPs ${t1 - t0} ms, QEMU start ${t2 - t1} ms, state ${t3 - t2} ms, NIC plug ${t4 - t3} ms)`,
    );
    await c.state.update((d) => {
      d.instances[inst.id]!.launchKey = key;
      d.instances[inst.id]!.addresses = {};
    });
  }
  if (!inst.running || inst.wait_for_ip_seconds === 0) return c.addresses.publish();
  const from = Date.now();
  const alive = async () => ((await c.host.findQemu(name)) ?? 0) > 0;
  if (inst.nics.length > 0) await c.addresses.wait(inst, refs, inst.wait_for_ip_seconds, progress, alive);
  // A clone's user-data ran in its template: that boot's serial log says whether it finished.
  if (inst.wait_for !== "ip")
    await c.addresses.ready(
      inst,
      { waitFor: inst.wait_for, seconds: inst.wait_for_ip_seconds },
      from,
      progress,
      {
        alive,
        serialLog: inst.wait_for === "cloudInit" ? c.p.templateSerial(inst.template_id) : undefined,
      },
    );
}

/** A clone's QEMU that runs its guest (not still waiting for, or in, its restore), NICs in. */
export async function cloneIsRunning(qmpSocket: string, macs: string[]): Promise<boolean> {
  const qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 3000 }).catch(() => undefined);
  if (!qmp) return false;
  try {
    if (!(await qmp.queryStatus()).running) return false;
    // Plugging is idempotent: a crash between the restore and the plug is finished here.
    await plugNics(qmp, macs);
    return true;
  } catch {
    return false;
  } finally {
    qmp.close();
  }
}
