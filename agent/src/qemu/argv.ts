// Pure: turns a QemuLaunch into QEMU's argv. QEMU splits option values at commas (",," escapes
// one), so every path that lands inside a `key=value,...` option goes through opt(); plain argv
// elements (-kernel, ...) need no escaping because no shell is ever involved.
//
// QEMU runs unprivileged (see process.ts): its TAPs and its QMP socket are opened by the launcher
// as root and handed over as file descriptors, and QEMU's seccomp filter forbids it to gain
// privileges, spawn processes, use obsolete system calls or change its scheduling and limits.
import * as path from "node:path";
import { invalid } from "../errors";
import { isIfName, isUnicastMac, normalizeMac } from "@pulumi-qemu/api/validate";
import { sandboxFds } from "../util/sandbox";
import type { Accel, Arch, QemuLaunch } from "./types";

/** QEMU's own seccomp sandbox: everything it offers to deny, denied. */
export const SECCOMP = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

/** What the launcher opens for QEMU, in the order it hands the descriptors over. */
export const launchResources = (l: Pick<QemuLaunch, "nics" | "qmpSocket" | "restoreFrom">) => ({
  taps: l.nics.map((n) =>
    n.join ? [n.tap, n.join.master, ...(n.join.mtu ? [n.join.mtu] : [])].join(":") : n.tap,
  ),
  listen: [l.qmpSocket],
  read: l.restoreFrom ? [l.restoreFrom] : [],
});

/**
 * The migrate-incoming URI of a restore: the saved state, opened by the launcher and inherited by
 * QEMU (it could not open the file itself, and an `exec:` URI is a shell its seccomp filter forbids).
 */
export function restoreUri(l: Pick<QemuLaunch, "nics" | "qmpSocket" | "restoreFrom">): string {
  const fd = sandboxFds(launchResources(l)).read[0];
  if (fd === undefined) throw new Error("restoreUri: the launch has no restoreFrom");
  return `fd:${fd}`;
}

export type { Accel, Arch, QemuLaunch, QemuNic } from "./types";
export { uefiFirmware, prepareUefiVars } from "./firmware";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function qemuBinary(arch: Arch): string {
  return arch === "aarch64" ? "qemu-system-aarch64" : "qemu-system-x86_64";
}

export function defaultMachine(arch: Arch): string {
  return arch === "aarch64" ? "virt" : "q35";
}

/**
 * The CPU model used with each accelerator. The KVM probe boots with this very model, because a
 * host can run real-mode code under KVM and still abort on `-cpu host` (e.g. "failed to set MSR 0x10a").
 */
export function cpuModel(arch: Arch, accel: Accel): string {
  if (accel === "kvm") return "host";
  return arch === "aarch64" ? "cortex-a57" : "max";
}

const opt = (value: string) => value.replaceAll(",", ",,");

function checkPath(property: string, p: string): string {
  if (!path.isAbsolute(p) || p.includes("\0"))
    // -daemonize chdirs to /, so a relative path would silently point elsewhere.
    throw invalid(
      "QEMU_BAD_PATH",
      property,
      `${property} must be an absolute path, got ${JSON.stringify(p)}`,
    );
  return p;
}

function validate(l: Omit<QemuLaunch, "sandbox">): void {
  if (!NAME_PATTERN.test(l.name))
    throw invalid("QEMU_BAD_NAME", "name", `QEMU name ${JSON.stringify(l.name)} must match ${NAME_PATTERN}`);
  if (!Number.isInteger(l.cpus) || l.cpus < 1 || l.cpus > 255)
    throw invalid("QEMU_BAD_CPUS", "cpus", `cpus must be an integer in 1..255, got ${l.cpus}`);
  // The product's range (64 MiB up) belongs to the Instance resource and is checked in its spec;
  // the library refuses only what QEMU cannot be given at all.
  if (!Number.isInteger(l.memoryMb) || l.memoryMb < 1)
    throw invalid("QEMU_BAD_MEMORY", "memoryMb", `memoryMb must be a positive integer, got ${l.memoryMb}`);
  if (l.firmware === "uefi" && !l.uefi)
    throw invalid("QEMU_NO_UEFI", "uefi", "firmware uefi needs uefi.code and uefi.vars");
  if (l.arch === "aarch64" && l.firmware === "bios" && !l.kernel)
    throw invalid(
      "QEMU_NO_FIRMWARE",
      "firmware",
      "aarch64 has no BIOS: use firmware uefi or boot a kernel directly",
    );
  if ((l.initrd || l.cmdline) && !l.kernel)
    throw invalid("QEMU_NO_KERNEL", "kernel", "initrd and cmdline need a kernel");
  checkPath("pidFile", l.pidFile);
  checkPath("qmpSocket", l.qmpSocket);
  if (l.restoreFrom !== undefined) {
    checkPath("restoreFrom", l.restoreFrom);
    // Ours, never a caller's: a programming error, not a bad request.
    if (!l.incoming) throw new Error("restoreFrom: a saved state is restored only with incoming");
  }
  l.nics.forEach((n, i) => {
    if (normalizeMac(n.mac) !== n.mac.toLowerCase() || !isUnicastMac(n.mac))
      throw invalid("QEMU_BAD_MAC", `nics[${i}].mac`, `${JSON.stringify(n.mac)} is not a unicast MAC`);
    if (!isIfName(n.tap))
      throw invalid(
        "QEMU_BAD_TAP",
        `nics[${i}].tap`,
        `${JSON.stringify(n.tap)} is not a valid interface name`,
      );
    // Ours, never a caller's (the launcher reads NAME:MASTER:MTU): a programming error.
    if (n.join && (!isIfName(n.join.master) || !(n.join.mtu === undefined || Number.isInteger(n.join.mtu))))
      throw new Error(`nics[${i}].join: ${JSON.stringify(n.join)}`);
  });
}

/** A NIC's -device value; on a root port (hot-pluggable) it is `nic<i>` on `rp<i>`. */
export function nicDevice(mac: string, i: number, onRootPort: boolean): string {
  const where = onRootPort ? `,bus=rp${i},id=nic${i}` : "";
  return `virtio-net-pci,netdev=net${i},mac=${mac.toLowerCase()}${where},romfile=`;
}

/** The launcher adds whom QEMU runs as (process.ts); the argv does not depend on it. */
export function buildQemuArgv(l: Omit<QemuLaunch, "sandbox">): string[] {
  validate(l);
  const machine = l.machine ?? defaultMachine(l.arch);
  // GICv2 (virt's default) stops at 8 CPUs.
  const machineOpt = l.arch === "aarch64" && l.cpus > 8 && !l.machine ? `${machine},gic-version=3` : machine;
  const fds = sandboxFds(launchResources(l));
  const a: string[] = [
    "-name",
    l.name,
    "-machine",
    machineOpt,
    "-accel",
    l.accel,
    "-cpu",
    cpuModel(l.arch, l.accel),
    "-smp",
    String(l.cpus),
    "-m",
    `${l.memoryMb}M`,
    // No host config files and no default devices: what the guest sees is exactly what follows.
    "-no-user-config",
    "-nodefaults",
    "-display",
    "none",
    "-sandbox",
    SECCOMP,
    "-chardev",
    `socket,id=qmp,fd=${fds.listen[0]},server=on,wait=off`,
    "-mon",
    "chardev=qmp,mode=control",
    "-chardev",
    // Appending, so qvmd can cut the log in place while QEMU writes it (util/logcap.ts).
    `file,id=serial0,path=${opt(checkPath("serialLog", l.serialLog))},append=on`,
    "-serial",
    "chardev:serial0",
  ];
  if (l.firmware === "uefi" && l.uefi) {
    a.push(
      "-drive",
      `if=pflash,format=raw,unit=0,readonly=on,file=${opt(checkPath("uefi.code", l.uefi.code))}`,
    );
    a.push("-drive", `if=pflash,format=raw,unit=1,file=${opt(checkPath("uefi.vars", l.uefi.vars))}`);
  }
  if (l.disk) {
    const file = opt(checkPath("disk.path", l.disk.path));
    a.push("-drive", `file=${file},format=${l.disk.format},if=none,id=disk0,discard=unmap`);
    a.push("-device", "virtio-blk-pci,drive=disk0,bootindex=1");
  }
  if (l.seed) {
    // virtio-blk exists on both machines (virt has no IDE); cloud-init finds the ISO by its label.
    a.push("-drive", `file=${opt(checkPath("seed", l.seed))},format=raw,if=none,id=seed0,readonly=on`);
    a.push("-device", "virtio-blk-pci,drive=seed0");
  }
  if (l.kernel) a.push("-kernel", checkPath("kernel", l.kernel));
  if (l.initrd) a.push("-initrd", checkPath("initrd", l.initrd));
  if (l.cmdline !== undefined) a.push("-append", l.cmdline);
  const hp = l.hotplug;
  if (hp && l.nics.length > hp.rootPorts)
    throw invalid("QEMU_BAD_NICS", "nics", `${l.nics.length} NICs but only ${hp.rootPorts} root ports`);
  for (let i = 0; hp && i < hp.rootPorts; i++)
    a.push("-device", `pcie-root-port,id=rp${i},chassis=${i + 1},slot=${i + 1}`);
  l.nics.forEach((n, i) => {
    a.push("-netdev", `tap,id=net${i},fd=${fds.taps[i]}`);
    if (hp?.nicsLater) return;
    // No option ROM: iPXE would otherwise take a DHCP lease for a guest whose disk does not boot,
    // and that lease would be mistaken for the booted guest's address.
    a.push("-device", nicDevice(n.mac, i, hp !== undefined));
  });
  // Guests generating SSH host keys at first boot would otherwise wait for entropy.
  a.push("-device", "virtio-rng-pci");
  if (l.vmgenid) a.push("-device", "vmgenid,guid=auto");
  if (l.memoryFile) {
    const mem = opt(checkPath("memoryFile.path", l.memoryFile.path));
    const share = l.memoryFile.shared ? "on" : "off";
    a.push("-object", `memory-backend-file,id=ram0,size=${l.memoryMb}M,mem-path=${mem},share=${share}`);
    a.push("-machine", "memory-backend=ram0");
  }
  if (l.incoming) a.push("-incoming", "defer");
  return a;
}
