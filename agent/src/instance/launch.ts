// Pure: the instance's VM as QEMU starts it: the image's facts it boots from, its seed, where each
// NIC's TAP goes, the launch itself and the key that says when a change needs a restart. plan.ts
// decides when and in which order; template/launch.ts is the same for a template's build VM.
import { createHash } from "node:crypto";
import type { ImageStatus } from "../image/manager";
import { names } from "../constants";
import type { ResolvedNetwork } from "../network/spec";
import { uefiFirmware, type Arch } from "../qemu/argv";
import { renderMetaData, renderUserData } from "../qemu/seed-render";
import type { HostBridge } from "./discovery";
import type { PlannedLaunch, SeedFiles } from "./host";
import type { ApplyFacts } from "./plan";
import type { ResolvedInstance, ResolvedNic } from "./spec";

/** The image as an instance uses it: its blobs and how it boots. */
export interface ImageFacts {
  path: string;
  format: string;
  sha256: string;
  kernelSha256?: string;
  initrdSha256?: string;
  virtualSizeBytes: number;
  kernelPath?: string;
  initrdPath?: string;
  arch: Arch;
  firmware: "bios" | "uefi";
  cmdline: string;
}

/** What of an image an instance uses. */
export const imageFacts = (s: ImageStatus): ImageFacts => ({
  path: s.path,
  format: s.record.format,
  sha256: s.record.sha256,
  kernelSha256: s.record.kernelSha256,
  initrdSha256: s.record.initrdSha256,
  virtualSizeBytes: s.record.virtualSizeBytes,
  kernelPath: s.kernelPath,
  initrdPath: s.initrdPath,
  arch: s.image.arch,
  firmware: s.image.firmware,
  cmdline: s.image.cmdline,
});

/** Where a NIC's TAP ends up: its namespace (undefined = root), the bridge it joins, its MTU. */
export interface TapPlace {
  tap: string;
  mac: string;
  ns?: string;
  master: string;
  mtu?: number;
}

/** What QEMU was started with; a difference means a restart. */
export function launchKey(inst: ResolvedInstance, imageSha256: string): string {
  const key = {
    cpus: inst.cpus,
    mem: inst.memory_mb,
    nics: inst.nics,
    machine: inst.machine,
    accel: inst.accel,
    image: imageSha256,
  };
  return createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
}

/** The NoCloud files: meta-data names the instance, user-data carries the keys and hostname. */
export function seedFiles(inst: ResolvedInstance): SeedFiles {
  const hostname = inst.hostname || inst.id;
  return {
    metaData: inst.meta_data || renderMetaData({ instanceId: inst.id, hostname }),
    userData: renderUserData({
      userData: inst.user_data || undefined,
      sshAuthorizedKeys: inst.ssh_authorized_keys,
      hostname,
    }),
    networkConfig: inst.network_config || undefined,
  };
}

/** Where NIC `i` of instance `id` goes: its network's namespace and bridge, or a host bridge. */
export function placeTap(
  id: string,
  i: number,
  nic: ResolvedNic,
  networks: ReadonlyMap<string, ResolvedNetwork>,
  bridges: ReadonlyMap<string, HostBridge>,
): TapPlace {
  const tap = names.tap(id, i);
  if (nic.networkId !== undefined)
    return {
      tap,
      mac: nic.mac,
      ns: names.netns(nic.networkId),
      master: names.bridge(nic.networkId),
      mtu: networks.get(nic.networkId)?.mtu,
    };
  return { tap, mac: nic.mac, master: bridges.get(nic.bridgeId!)!.name };
}

/**
 * The launch of an instance whose TAPs are `taps` (the accelerator is decided when it starts). QEMU
 * runs in the first TAP's namespace: the launcher makes the TAPs there, and joins to their bridges
 * those that stay there (the others move, then join, once QEMU holds them: plan.ts).
 */
export function instanceLaunch(f: ApplyFacts, taps: TapPlace[]): Omit<PlannedLaunch, "accel"> {
  const { inst, image: img, paths: p } = f;
  return {
    name: names.qemu(inst.id),
    arch: img.arch,
    machine: inst.machine || undefined,
    cpus: inst.cpus,
    memoryMb: inst.memory_mb,
    pidFile: p.instancePid(inst.id),
    qmpSocket: p.instanceQmp(inst.id),
    serialLog: p.instanceSerial(inst.id),
    disk: { path: p.instanceDisk(inst.id), format: "qcow2" },
    seed: p.instanceSeed(inst.id),
    kernel: img.kernelPath,
    initrd: img.initrdPath,
    cmdline: img.cmdline || undefined,
    firmware: img.firmware,
    uefi:
      img.firmware === "uefi"
        ? { code: uefiFirmware(img.arch).code, vars: p.instanceVars(inst.id) }
        : undefined,
    nics: taps.map((t) => ({
      tap: t.tap,
      mac: t.mac,
      ...(t.ns === taps[0]!.ns && { join: { master: t.master, ...(t.mtu && { mtu: t.mtu }) } }),
    })),
  };
}
