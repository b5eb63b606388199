// Pure: the template's build VM as QEMU starts it. Clones (instance/clone.ts) are started as this
// same machine, so a change here is a change there too.
import { createHash } from "node:crypto";
import { resources } from "@pulumi-qemu/api";
import { names, type StatePaths } from "../constants";
import type { Arch } from "../qemu/argv";
import type { PlannedLaunch } from "../instance/host";
import type { ResolvedTemplate } from "./spec";

/** The build VM's MAC: 52:54:01 (never an Instance's derived 52:54:00) + the template id's hash. */
export function templateMac(id: string): string {
  const h = createHash("sha256").update(`template:${id}`).digest();
  return ["52", "54", "01", ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

/**
 * Boots the image's files with the template's seed, one NIC on a hot-plug root port, a vmgenid, and
 * RAM in a shared file of the store: saving then only has to write the device state.
 */
export function templateLaunch(
  p: StatePaths,
  t: Pick<ResolvedTemplate, "id" | "cpus" | "memoryMb">,
  o: {
    arch: Arch;
    accel: "kvm" | "tcg";
    boot: { kernel?: string; initrd?: string; cmdline?: string };
    tap: string;
    mac: string;
  },
): PlannedLaunch {
  return {
    name: names.templateQemu(t.id),
    arch: o.arch,
    accel: o.accel,
    machine: "q35",
    cpus: t.cpus,
    memoryMb: t.memoryMb,
    pidFile: p.templatePid(t.id),
    qmpSocket: p.templateQmp(t.id),
    serialLog: p.templateSerial(t.id),
    disk: { path: p.templateDisk(t.id), format: "qcow2" },
    seed: p.templateSeed(t.id),
    ...o.boot,
    firmware: "bios",
    nics: [{ tap: o.tap, mac: o.mac }],
    hotplug: { rootPorts: resources.TEMPLATE_MAX_NICS, nicsLater: false },
    vmgenid: true,
    memoryFile: { path: p.templateMemory(t.id), shared: true },
  };
}
