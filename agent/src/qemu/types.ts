// The launch description shared by the argv builder, the process manager and their callers.
import type { Sandbox } from "../util/sandbox";

export type Arch = "x86_64" | "aarch64";
export type Accel = "kvm" | "tcg";

export interface QemuNic {
  /** TAP device, opened by the launcher as root and handed to QEMU (made, persistent, if absent). */
  tap: string;
  mac: string;
  /**
   * The bridge the launcher joins the TAP to (MTU first, then up) before QEMU starts: a start pays
   * no `ip` exec for it. Without it the TAP is not configured.
   */
  join?: { master: string; mtu?: number };
}

export interface QemuLaunch {
  /** QEMU `-name` (e.g. `qvm-<instanceId>`): with the sandbox user and the binary, how a process is ours. */
  name: string;
  arch: Arch;
  accel: Accel;
  /** Defaults: q35 (x86_64), virt (aarch64). */
  machine?: string;
  cpus: number;
  memoryMb: number;
  /** qvmd's record of the process (pid and start time), in a root-only directory; QEMU never sees it. */
  pidFile: string;
  /** Bound by the launcher in a root-only directory and handed to QEMU as a listening fd. */
  qmpSocket: string;
  /** Opened by QEMU as the sandbox user: launchQemu creates it owned by that user. */
  serialLog: string;
  disk?: { path: string; format: "qcow2" | "raw" };
  /** NoCloud ISO (label `cidata`), attached read-only as a virtio disk. */
  seed?: string;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  /** "bios": SeaBIOS on x86_64; on aarch64 it means no firmware at all (direct kernel boot only). */
  firmware: "bios" | "uefi";
  /** `vars` is the per-instance writable copy (see prepareUefiVars). */
  uefi?: { code: string; vars: string };
  nics: QemuNic[];
  /**
   * Guest RAM in a file: `shared` (an InstanceTemplate: the file is the saved memory, so the
   * migration stream skips RAM) or private (a clone: a copy-on-write mapping of the template's).
   */
  memoryFile?: { path: string; shared: boolean };
  /**
   * NICs on PCIe root ports (`rp<n>`, device ids `nic<n>`) so they can be unplugged before a save
   * and plugged into a clone after its restore (`nicsLater`: only their -netdev backends now).
   * Templates and their clones must have the same number of ports: the device state depends on it.
   */
  hotplug?: { rootPorts: number; nicsLater: boolean };
  /** -device vmgenid: each start (and so each clone) gives the guest a new generation id. */
  vmgenid?: boolean;
  /** -incoming defer: wait for migrate-incoming (a clone's restore) instead of booting. */
  incoming?: boolean;
  /**
   * The saved device state a restore reads (with `incoming`): opened read-only by the launcher as
   * root and inherited by QEMU; migrate-incoming names it by descriptor (restoreUri).
   */
  restoreFrom?: string;
  /** The unprivileged user QEMU runs as, under its seccomp sandbox; never root. */
  sandbox: Sandbox;
}
