// Pure: the template's build VM as QEMU starts it, and the record of a build: the machine and boot
// files its clones must match. Clones (instance/clone.ts) are started as this same machine, so a
// change here is a change there too.
import { createHash } from "node:crypto";
import { resources } from "@pulumi-qemu/api";
import { names, type StatePaths } from "../constants";
import type { Arch } from "../qemu/argv";
import type { ImageStatus } from "../image/manager";
import type { PlannedLaunch } from "../instance/host";
import type { TemplateRecord } from "../state";
import type { ResolvedTemplate, TemplateSpec } from "./spec";

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

/** The record of a build that starts: `building` until the state is saved; `uid`: its owner. */
export function buildingRecord(
  spec: TemplateSpec,
  t: ResolvedTemplate,
  image: ImageStatus,
  accel: "kvm" | "tcg",
  uid: number | undefined,
): TemplateRecord {
  const { record, image: img } = image;
  return {
    spec,
    uid,
    status: "building",
    blobs: [record.sha256, record.kernelSha256, record.initrdSha256].filter((b): b is string => !!b),
    imageId: t.imageId,
    accel,
    machine: { arch: img.arch, cpus: t.cpus, memoryMb: t.memoryMb, machine: "q35" },
    boot: { kernel: image.kernelPath, initrd: image.initrdPath, cmdline: img.cmdline || undefined },
    diskGb: Math.max(1, Math.ceil(record.virtualSizeBytes / 1024 ** 3)),
    bootMs: 0,
    saveMs: 0,
    createdAt: new Date().toISOString(),
  };
}
