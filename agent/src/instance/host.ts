// The host operations of an instance, as an interface the manager is given (so its ordering runs in
// unit tests against a fake host), and the real thing: the QEMU library, qemu-img, iproute2 for the
// TAPs, nft for port forwards, ss, address discovery, and a clone's restore over QMP
// (qemu/migrate.ts). Each operation does one thing.
//
// TAPs: QEMU's launcher makes them in the namespace QEMU runs in (the first NIC's); those of NICs
// elsewhere (another network's namespace, a host bridge's root one) move once QEMU holds them: a
// TAP keeps its open file across namespaces. `ns` undefined means the root namespace.
//
// QEMU runs as the QEMU sandbox user (util/sandbox.ts) under its seccomp filter: the files it
// uses are given to that user (what it writes) or its group (what it only reads), in directories
// only root writes to (layout.ts), and the TAPs and the QMP socket are opened by the launcher as
// root and handed over. Which process is a VM's is decided by qemu/process.ts (uid, binary, start
// time), never by its command line alone.
import * as fs from "node:fs/promises";
import { applyFence, deleteFence, type FenceNic, fenceExists } from "../fence/apply";
import { type Sandboxes, ensureDir, vmDirSpec } from "../layout";
import { type Sandbox, sandboxArgv, sandboxFile } from "../util/sandbox";
import { type AccelDecision, knownAccel, probeAccel } from "../qemu/accel";
import { prepareUefiVars, type Accel, type Arch, type QemuLaunch } from "../qemu/argv";
import {
  type EarlyLauncher,
  findQemu,
  launchQemu,
  spawnLauncher,
  startLauncher,
  stopQemu,
} from "../qemu/process";
import { QmpClient } from "../qemu/qmp";
import { qcow2Overlay } from "../qemu/qcow2";
import { buildSeedIso } from "../qemu/seed";
import { run } from "../util/exec";
import { cloneRunsGuest, restoreClone } from "../qemu/migrate";
import { type Segment, type Sighting, waitForAddresses } from "./discovery";
import { GiB } from "./plan";
import { tapOps } from "./taps";
import { type Listener, parseListeners, renderPortTable } from "./ports";
import { cloudInitFinished, waitForSerial, waitForSshBanner } from "./ready";
import type { ResolvedForward } from "./spec";
import { names, type StatePaths } from "../constants";

export interface SeedFiles {
  userData: string;
  metaData: string;
  networkConfig?: string;
}

/** What the plan launches; the host adds whom QEMU runs as. */
export type PlannedLaunch = Omit<QemuLaunch, "sandbox">;
/** A launcher's process spawned with this accelerator. */
export type Spawned = { accel: Accel; launcher: Promise<EarlyLauncher> };

export interface InstanceHost {
  /**
   * A directory QEMU works in (an instance's, a template's), owned so its QEMU gets in and no
   * further (layout.ts).
   */
  ensureVmDir(dir: string): Promise<void>;
  /**
   * The pid of the live QEMU with this `-name` that is ours (qvmd's record in `pidFile`, else a
   * scan of /proc; uid, binary and start time decide, never the command line alone).
   */
  findQemu(name: string, pidFile?: string): Promise<number | undefined>;
  /**
   * Starts QEMU as the sandbox user. `readable`: files it only reads (image blobs, kernel, initrd,
   * a seed), given to its group read-only; `writable`: files it writes (disks, a memory file),
   * given to it (created when missing). `early`: startLauncher's launcher of this same launch.
   */
  launchQemu(
    launch: PlannedLaunch,
    opts: { netns?: string; readable?: string[]; writable?: string[]; early?: EarlyLauncher },
  ): Promise<void>;
  /**
   * Starts QEMU's launcher ahead of launchQemu, while what QEMU opens is still being made: it opens
   * and starts nothing until launchQemu lets it go, and exits at abort() or when qvmd dies.
   * `spawned`: its process, spawnLauncher's, already started.
   */
  startLauncher(
    launch: PlannedLaunch,
    o: { netns?: string; spawned?: Promise<EarlyLauncher> },
  ): Promise<EarlyLauncher>;
  /**
   * startLauncher's process alone (it touches nothing of the VM: safe before the record), with the
   * accelerator asked for or one a finished probe decided; none decided yet: undefined.
   */
  spawnLauncher(launch: Omit<PlannedLaunch, "accel">, accel?: Accel, netns?: string): Spawned | undefined;
  /** Powerdown, then quit, then signals; `graceMs` for the guest to shut down. */
  stopQemu(
    target: { name: string; qmpSocket: string; pid: number; pidFile?: string },
    opts: { graceMs: number; qmp?: QmpClient },
  ): Promise<void>;
  /** KVM if a probe guest really runs under it, else TCG, with the reason. */
  probeAccel(arch: Arch): Promise<AccelDecision>;
  /** The instance's private copy of the UEFI vars, created once (it holds the guest's entries). */
  prepareUefiVars(arch: Arch, dest: string): Promise<void>;
  /**
   * A qcow2 overlay over the image's blob (a clone's: over its template's frozen layer), QEMU's, in
   * place of any disk of that name; `sizeGb` undefined: the backing file's size.
   */
  createOverlay(disk: string, backing: { path: string; format: string }, sizeGb?: number): Promise<void>;
  /** Grows a stopped VM's overlay. */
  resizeOverlay(disk: string, sizeGb: number): Promise<void>;
  /** Grows a running VM's disk through QMP (QEMU resizes the image it has open). */
  resizeRunning(qmpSocket: string, device: string, bytes: number): Promise<void>;
  /** A clone's QEMU (started `incoming`): its state restored from `uri`, then its NICs plugged. */
  restoreClone(qmpSocket: string, uri: string, macs: string[]): Promise<{ stateMs: number; plugMs: number }>;
  /** Does a clone's QEMU run its guest (restored, NICs in: a plug a crash cut short is finished)? */
  cloneRunsGuest(qmpSocket: string, macs: string[]): Promise<boolean>;
  /** The NoCloud seed ISO, replaced atomically. */
  buildSeed(file: string, files: SeedFiles): Promise<void>;
  /** A TAP in `ns`; with `attach`, also in its bridge and up, in the same `ip -batch`. */
  createTap(ns: string | undefined, tap: string): Promise<void>;
  moveTap(from: string | undefined, to: string | undefined, tap: string): Promise<void>;
  attachTap(ns: string | undefined, tap: string, master: string, mtu?: number): Promise<void>;
  /** Never fails: a TAP that is not there is what we want. */
  deleteTap(ns: string | undefined, tap: string): Promise<void>;
  /** The instance's DNAT table (ip qvmp_<id>), replaced whole. */
  applyPortTable(id: string, forwards: ResolvedForward[], guestIp: string): Promise<void>;
  /** Deletes the table whether or not it exists (one `nft -f`). */
  deletePortTable(id: string): Promise<void>;
  /** Names of every table of family ip (one `nft list chains`). */
  ipTables(): Promise<Set<string>>;
  /** Who listens on a host port (ss). */
  listeners(protocol: "tcp" | "udp", port: number): Promise<Listener[]>;
  /** The host's own IPv4 addresses (root namespace), loopback left out: where a forward may listen. */
  localAddresses(): Promise<Set<string>>;
  /**
   * Waits for every MAC's address on a segment (leases, ARP) until `deadline` or `cancelled`;
   * fills `known`.
   */
  discover(
    seg: Segment,
    macs: string[],
    deadline: number,
    known: Map<string, Sighting>,
    cancelled?: AbortSignal,
  ): Promise<void>;
  /** Until `deadline` (or `cancelled`): has the serial log shown cloud-init's final message (ready.ts)? */
  cloudInitFinished(serialLog: string, deadline: number, cancelled?: AbortSignal): Promise<boolean>;
  /** Until `deadline` (or `cancelled`): does port 22 of `ip` answer with an SSH banner? */
  sshAnswers(ip: string, deadline: number, cancelled?: AbortSignal): Promise<boolean>;
  /** The root namespace's guest fence (NICs on host bridges), replaced whole; none: removed. */
  applyHostFence(nics: () => Promise<FenceNic[]>): Promise<void>;
  deleteHostFence(): Promise<void>;
  hostFenceExists(): Promise<boolean>;
  /** Gives files QEMU only reads (a frozen template's) to its group, read-only (`mode`). */
  shareWithQemu(files: string[], mode: number): Promise<void>;
  /** QEMU's group: what may connect to a socket of qvmd's that QEMU must reach. */
  qemuGid(): number;
}

const RESTORE_TIMEOUT_MS = 60000;

/** Gives `file` (created by root, in a root-only directory) to the sandbox user or its group. */
async function give(file: string, uid: number, gid: number, mode: number): Promise<void> {
  await fs.lchown(file, uid, gid);
  await fs.chmod(file, mode);
}

export function linuxInstanceHost(p: StatePaths, sandboxes: Sandboxes): InstanceHost {
  const qemu: Sandbox = sandboxes.qemu;
  // qvmd's record of a VM's process, in the root-only run directory: an instance's or a template's.
  const pidFileOf = (name: string) =>
    name.startsWith(names.templateQemu(""))
      ? p.templatePid(name.slice(names.templateQemu("").length))
      : p.instancePid(name.slice(names.qemu("").length));
  const identity = (name: string, pidFile?: string) => ({
    name,
    sandbox: qemu,
    pidFile: pidFile ?? pidFileOf(name),
  });
  return {
    ensureVmDir: (dir) => ensureDir(vmDirSpec(dir, sandboxes)),
    findQemu: (name, pidFile) => findQemu(identity(name, pidFile)),
    async launchQemu(launch, opts) {
      // QEMU only reads the image's files, through its group; what it writes is its own.
      for (const f of opts.readable ?? []) await give(f, 0, qemu.gid, 0o640);
      for (const f of opts.writable ?? []) await sandboxFile(f, qemu);
      if (launch.uefi) await sandboxFile(launch.uefi.vars, qemu);
      await launchQemu({ ...launch, sandbox: qemu }, opts);
    },
    startLauncher: (launch, o) => startLauncher({ ...launch, sandbox: qemu }, o, o.spawned),
    spawnLauncher(launch, asked, netns) {
      const accel = asked ?? knownAccel(launch.arch)?.accel;
      return accel && { accel, launcher: spawnLauncher({ ...launch, accel, sandbox: qemu }, { netns }) };
    },
    async stopQemu(target, opts) {
      await stopQemu(
        {
          ...identity(target.name, target.pidFile),
          ...target,
          pidFile: target.pidFile ?? pidFileOf(target.name),
        },
        opts,
      );
    },
    probeAccel: (arch) => probeAccel({ arch, timeoutMs: 5000, sandbox: qemu }),
    async prepareUefiVars(arch, dest) {
      await prepareUefiVars(arch, dest);
    },
    async createOverlay(disk, backing, sizeGb) {
      // Made whole under another name and renamed: a disk that exists is complete and QEMU's
      // (a crash between create and chown left a root-owned disk that the retry kept, and the
      // sandboxed QEMU could not open it).
      const part = `${disk}.part`;
      // A new disk's bytes are qemu-img's, written here (qemu/qcow2.ts); a clone's layer takes
      // its size from its backing file, which only qemu-img reads.
      const layer = ["create", "-q", "-f", "qcow2", "-F", backing.format, "-b", backing.path, part];
      await (sizeGb === undefined
        ? run("qemu-img", layer)
        : fs.writeFile(part, qcow2Overlay(backing, sizeGb * GiB), { mode: 0o600 }));
      // QEMU writes it as its own user; its directory is root's, so no link can stand in for it.
      await give(part, qemu.uid, qemu.gid, 0o600);
      await fs.rename(part, disk);
    },
    async resizeOverlay(disk, sizeGb) {
      // The overlay's header is the guest's to write (through a compromised QEMU): only the sandbox
      // user, never root, parses it again.
      const argv = ["qemu-img", "resize", "-q", "-f", "qcow2", disk, `${sizeGb}G`];
      const [file, ...args] = sandboxArgv(qemu, argv);
      await run(file!, args);
    },
    async resizeRunning(qmpSocket, device, bytes) {
      const q = await QmpClient.connect(qmpSocket, { timeoutMs: 5000 });
      try {
        await q.execute("block_resize", { device, size: bytes });
      } finally {
        q.close();
      }
    },
    restoreClone: (qmpSocket, uri, macs) => restoreClone(qmpSocket, uri, macs, RESTORE_TIMEOUT_MS),
    cloneRunsGuest: (qmpSocket, macs) => cloneRunsGuest(qmpSocket, macs),
    async buildSeed(file, files) {
      await buildSeedIso(file, files);
      await give(file, 0, qemu.gid, 0o640); // QEMU only reads it
    },
    ...tapOps,
    async applyPortTable(id, forwards, guestIp) {
      if (forwards.length === 0) return this.deletePortTable(id);
      await run("nft", ["-f", "-"], { input: renderPortTable(id, forwards, guestIp) });
    },
    async ipTables() {
      // `list chains`: nft 1.0.6 reads every table's rules for `list tables` (network/host.ts).
      const r = await run("nft", ["list", "chains", "ip"]);
      const out = new Set<string>();
      for (const line of r.stdout.split("\n")) {
        const m = /^table ip (\S+) \{$/.exec(line.trim());
        if (m) out.add(m[1]!);
      }
      return out;
    },
    async deletePortTable(id) {
      const t = `ip ${names.portTable(id)}`;
      // Declaring the table first makes the delete valid whether or not it exists: one transaction.
      await run("nft", ["-f", "-"], { input: `table ${t}\ndelete table ${t}\n` });
    },
    async listeners(protocol, port) {
      const r = await run("ss", ["-Hlnp", protocol === "tcp" ? "-t" : "-u"], { reject: false });
      return parseListeners(r.stdout, port);
    },
    async localAddresses() {
      const r = await run("ip", ["-j", "-4", "addr", "show"], { reject: false });
      const links = JSON.parse(r.stdout || "[]") as Array<{ addr_info?: Array<{ local: string }> }>;
      return new Set(
        links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local)).filter((a) => !a.startsWith("127.")),
      );
    },
    async discover(seg, macs, deadline, known, cancelled) {
      await waitForAddresses(seg, macs, deadline, known, cancelled);
    },
    cloudInitFinished: (serialLog, deadline, cancelled) =>
      waitForSerial(serialLog, cloudInitFinished, deadline, cancelled),
    sshAnswers: (ip, deadline, cancelled) => waitForSshBanner(ip, deadline, 22, cancelled),
    applyHostFence: (nics) => applyFence(undefined, nics),
    deleteHostFence: () => deleteFence(),
    hostFenceExists: () => fenceExists(),
    async shareWithQemu(files, mode) {
      for (const f of files) await give(f, 0, qemu.gid, mode);
    },
    qemuGid: () => qemu.gid,
  };
}
