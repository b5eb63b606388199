// The host operations of an instance, as an interface the manager is given (so its ordering runs in
// unit tests against a fake host), and the real thing: the QEMU library, qemu-img, iproute2 for the
// TAPs, nft for port forwards, ss, and address discovery. Each operation does one thing.
//
// TAPs: QEMU opens every TAP by name in the namespace it runs in (the first NIC's), so TAPs are
// created there, and those of NICs elsewhere (another network's namespace, or a host bridge in the
// root namespace) are moved once QEMU holds them: a TAP keeps its open file across namespaces.
// `ns` undefined means the root namespace.
import { type AccelDecision, probeAccel } from "../qemu/accel";
import { prepareUefiVars, type Arch, type QemuLaunch } from "../qemu/argv";
import { findQemu, launchQemu, stopQemu } from "../qemu/process";
import { QmpClient } from "../qemu/qmp";
import { buildSeedIso } from "../qemu/seed";
import { run } from "../util/exec";
import { type Segment, type Sighting, waitForAddresses } from "./discovery";
import { type Listener, parseListeners, renderPortTable } from "./ports";
import { cloudInitFinished, waitForSerial, waitForSshBanner } from "./ready";
import type { ResolvedForward } from "./spec";
import { names } from "../constants";

export interface SeedFiles {
  userData: string;
  metaData: string;
  networkConfig?: string;
}

export interface InstanceHost {
  /** The pid of the live QEMU with this `-name`: by its pid file when that holds, else from /proc. */
  findQemu(name: string, pidFile?: string): Promise<number | undefined>;
  launchQemu(launch: QemuLaunch, opts: { netns?: string }): Promise<void>;
  /** Powerdown, then quit, then signals; `graceMs` for the guest to shut down. */
  stopQemu(target: { qmpSocket: string; pid: number }, opts: { graceMs: number }): Promise<void>;
  /** KVM if a probe guest really runs under it, else TCG, with the reason. */
  probeAccel(arch: Arch): Promise<AccelDecision>;
  /** The instance's private copy of the UEFI vars, created once (it holds the guest's entries). */
  prepareUefiVars(arch: Arch, dest: string): Promise<void>;
  /** A qcow2 overlay over the image's blob. */
  createOverlay(disk: string, backing: { path: string; format: string }, sizeGb: number): Promise<void>;
  /** Grows a stopped VM's overlay. */
  resizeOverlay(disk: string, sizeGb: number): Promise<void>;
  /** Grows a running VM's disk through QMP (QEMU resizes the image it has open). */
  resizeRunning(qmpSocket: string, device: string, bytes: number): Promise<void>;
  /** The NoCloud seed ISO, replaced atomically. */
  buildSeed(file: string, files: SeedFiles): Promise<void>;
  /** A TAP in `ns`; with `attach`, also in its bridge and up, in the same `ip -batch`. */
  createTap(ns: string | undefined, tap: string, attach?: { master: string; mtu?: number }): Promise<void>;
  moveTap(from: string | undefined, to: string | undefined, tap: string): Promise<void>;
  attachTap(ns: string | undefined, tap: string, master: string, mtu?: number): Promise<void>;
  /** Never fails: a TAP that is not there is what we want. */
  deleteTap(ns: string | undefined, tap: string): Promise<void>;
  /** The instance's DNAT table (ip qvmp_<id>), replaced whole. */
  applyPortTable(id: string, forwards: ResolvedForward[], guestIp: string): Promise<void>;
  /** Deletes the table whether or not it exists (one `nft -f`). */
  deletePortTable(id: string): Promise<void>;
  /** Names of every table of family ip (one `nft list tables`). */
  ipTables(): Promise<Set<string>>;
  /** Who listens on a host port (ss). */
  listeners(protocol: "tcp" | "udp", port: number): Promise<Listener[]>;
  /** The host's own IPv4 addresses (root namespace), loopback left out: where a forward may listen. */
  localAddresses(): Promise<Set<string>>;
  /** Waits for every MAC's address on a segment (leases, ARP) until `deadline`; fills `known`. */
  discover(seg: Segment, macs: string[], deadline: number, known: Map<string, Sighting>): Promise<void>;
  /** Until `deadline`: has the serial log shown cloud-init's final message (see ready.ts)? */
  cloudInitFinished(serialLog: string, deadline: number): Promise<boolean>;
  /** Until `deadline`: does port 22 of `ip` answer with an SSH banner? */
  sshAnswers(ip: string, deadline: number): Promise<boolean>;
}

const nsArgs = (ns?: string) => (ns ? ["-n", ns] : []);

const attachLines = (tap: string, master: string, mtu?: number) => [
  ...(mtu ? [`link set ${tap} mtu ${mtu}`] : []),
  `link set ${tap} master ${master}`,
  `link set ${tap} up`,
];

export const linuxInstanceHost: InstanceHost = {
  findQemu,
  async launchQemu(launch, opts) {
    await launchQemu(launch, opts);
  },
  async stopQemu(target, opts) {
    await stopQemu(target, opts);
  },
  probeAccel: (arch) => probeAccel({ arch, timeoutMs: 5000 }),
  async prepareUefiVars(arch, dest) {
    await prepareUefiVars(arch, dest);
  },
  async createOverlay(disk, backing, sizeGb) {
    await run("qemu-img", [
      "create",
      "-q",
      "-f",
      "qcow2",
      "-F",
      backing.format,
      "-b",
      backing.path,
      disk,
      `${sizeGb}G`,
    ]);
  },
  async resizeOverlay(disk, sizeGb) {
    await run("qemu-img", ["resize", "-q", "-f", "qcow2", disk, `${sizeGb}G`]);
  },
  async resizeRunning(qmpSocket, device, bytes) {
    const q = await QmpClient.connect(qmpSocket, { timeoutMs: 5000 });
    try {
      await q.execute("block_resize", { device, size: bytes });
    } finally {
      q.close();
    }
  },
  buildSeed: buildSeedIso,
  async createTap(ns, tap, attach) {
    const join = attach ? attachLines(tap, attach.master, attach.mtu) : [];
    // The usual case in one run: the TAP is new. One left by a crash makes the batch fail at its
    // first line; then what exists is looked at and only the rest is done.
    const r = await run("ip", [...nsArgs(ns), "-batch", "-"], {
      input: [`tuntap add dev ${tap} mode tap`, ...join].join("\n") + "\n",
      reject: false,
    });
    if (r.exitCode === 0) return;
    const exists =
      (await run("ip", [...nsArgs(ns), "link", "show", "dev", tap], { reject: false })).exitCode === 0;
    if (!exists) await run("ip", [...nsArgs(ns), "tuntap", "add", "dev", tap, "mode", "tap"]);
    if (join.length > 0) await run("ip", [...nsArgs(ns), "-batch", "-"], { input: join.join("\n") + "\n" });
  },
  async moveTap(from, to, tap) {
    if (from === to) return;
    // "netns 1" is PID 1's namespace: the root one.
    await run("ip", [...nsArgs(from), "link", "set", "dev", tap, "netns", to ?? "1"]);
  },
  async attachTap(ns, tap, master, mtu) {
    await run("ip", [...nsArgs(ns), "-batch", "-"], {
      input: attachLines(tap, master, mtu).join("\n") + "\n",
    });
  },
  async deleteTap(ns, tap) {
    await run("ip", [...nsArgs(ns), "link", "delete", "dev", tap], { reject: false });
  },
  async applyPortTable(id, forwards, guestIp) {
    if (forwards.length === 0) return this.deletePortTable(id);
    await run("nft", ["-f", "-"], { input: renderPortTable(id, forwards, guestIp) });
  },
  async ipTables() {
    const r = await run("nft", ["list", "tables", "ip"]);
    const out = new Set<string>();
    for (const line of r.stdout.split("\n")) {
      const m = /^table ip (\S+)$/.exec(line.trim());
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
  async discover(seg, macs, deadline, known) {
    await waitForAddresses(seg, macs, deadline, known);
  },
  cloudInitFinished: (serialLog, deadline) => waitForSerial(serialLog, cloudInitFinished, deadline),
  sshAnswers: (ip, deadline) => waitForSshBanner(ip, deadline),
};
