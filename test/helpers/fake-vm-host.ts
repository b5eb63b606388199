// Fake host operations of instances (and templates' build VMs): QEMU processes, TAPs, port tables,
// discovery and readiness as a small in-memory model, so the managers' ordering and bookkeeping run
// in unit tests without root. Files in the (temporary) state directory are real. Images and DNS
// forwarders: fake-image-host.ts, fake-dns-host.ts.
import * as fs from "node:fs/promises";
import { hostFailure, QvmdError } from "../../agent/src/errors";
import type { Segment, Sighting } from "../../agent/src/instance/discovery";
import type { FenceNic } from "../../agent/src/fence/apply";
import type { InstanceHost, PlannedLaunch, SeedFiles } from "../../agent/src/instance/host";
import type { Listener } from "../../agent/src/instance/ports";
import type { ResolvedForward } from "../../agent/src/instance/spec";
import type { Accel, Arch } from "../../agent/src/qemu/argv";
import type { EarlyLauncher } from "../../agent/src/qemu/process";
import { CallLog } from "./fake-net-host";
import { fakeLauncher, type Launchers } from "./fake-launcher";

interface FakeQemu {
  pid: number;
  launch: PlannedLaunch;
  netns?: string;
  /** The image files QEMU was given to read. */
  readable: string[];
  /** A clone's QEMU (started `incoming`): whether its state was restored, and the NICs plugged. */
  restored?: boolean;
  plugged?: string[];
}

export class FakeInstanceHost extends CallLog implements InstanceHost {
  private nextPid = 1000;
  readonly qemus = new Map<string, FakeQemu>();
  /** TAPs by name: the namespace they are in ("" = root) and their bridge. */
  readonly taps = new Map<string, { ns: string; master?: string; mtu?: number }>();
  readonly portTables = new Map<string, { forwards: ResolvedForward[]; ip: string }>();
  readonly seeds = new Map<string, SeedFiles>();
  /** Overlays by path: their size in GiB (undefined: the backing file's, a clone's layer). */
  readonly disks = new Map<string, number | undefined>();
  readonly hostListeners: (Listener & { protocol: string; port: number })[] = [];
  /** What discovery finds, by MAC; a MAC absent here is never found. */
  readonly addresses = new Map<string, Sighting>();
  accel: "kvm" | "tcg" = "tcg";

  /** Files shared read-only with QEMU's group (a frozen template's), by mode. */
  readonly shared = new Map<string, number>();
  async shareWithQemu(files: string[], mode: number) {
    for (const f of files) this.shared.set(f, mode);
  }
  qemuGid() {
    return 995;
  }
  async ensureVmDir(dir: string) {
    await fs.mkdir(dir, { recursive: true });
  }
  async findQemu(name: string) {
    return this.qemus.get(name)?.pid;
  }
  readonly launchers: Launchers = new Map(); // started ahead of their QEMU, by launch name
  async startLauncher(launch: PlannedLaunch, o: { spawned?: Promise<EarlyLauncher> }) {
    this.note(`startLauncher ${launch.name}`);
    return o.spawned ?? fakeLauncher(this.launchers, launch.name);
  }
  /** Like the real host's: with the accelerator asked for, or once a probe has decided. */
  private probed = false;
  spawnLauncher(launch: Omit<PlannedLaunch, "accel">, asked?: Accel) {
    const accel = asked ?? (this.probed ? this.accel : undefined);
    if (!accel) return undefined;
    this.note(`spawnLauncher ${launch.name}`);
    return { accel, launcher: Promise.resolve(fakeLauncher(this.launchers, launch.name)) };
  }
  async launchQemu(launch: PlannedLaunch, opts: Parameters<InstanceHost["launchQemu"]>[1]) {
    this.note(`launchQemu ${launch.name}`);
    await opts.early?.go(1000);
    // Like the launcher: every TAP made (or opened) in the namespace QEMU runs in, and joined to its
    // bridge when asked. One of that name elsewhere is a second device the later move would clash with.
    const ns = opts.netns ?? "";
    for (const nic of launch.nics) {
      const t = this.taps.get(nic.tap) ?? { ns };
      if (t.ns !== ns)
        throw new QvmdError("internal", "QEMU_LAUNCH_FAILED", `TAP ${nic.tap} is left in ${t.ns || "root"}`);
      this.taps.set(nic.tap, nic.join ? { ...t, master: nic.join.master, mtu: nic.join.mtu } : t);
    }
    this.qemus.set(launch.name, {
      pid: this.nextPid++,
      launch,
      netns: opts.netns,
      readable: opts.readable ?? [],
    });
  }
  async stopQemu(target: { pid: number }) {
    this.note(`stopQemu ${target.pid}`);
    for (const [name, q] of this.qemus) if (q.pid === target.pid) this.qemus.delete(name);
  }
  async probeAccel(_arch: Arch) {
    this.note("probeAccel");
    this.probed = true;
    return { accel: this.accel, reason: "fake probe" };
  }
  async prepareUefiVars(_arch: Arch, dest: string) {
    this.note(`prepareUefiVars`);
    await fs.writeFile(dest, "vars", { flag: "a" });
  }
  async createOverlay(disk: string, backing: { path: string }, sizeGb?: number) {
    this.note(`createOverlay ${sizeGb ?? "backing"}`);
    await fs.stat(backing.path); // the blob must exist, as qemu-img would insist
    await fs.writeFile(disk, "");
    this.disks.set(disk, sizeGb);
  }
  /** A template's disk layer (the image's size). */
  async createLayer(disk: string, backing: { path: string }) {
    this.note("createLayer");
    await fs.stat(backing.path);
    await fs.writeFile(disk, "");
  }
  /** A template's save: its device state written, its QEMU gone. */
  async saveAndStop(vm: { name: string }, _saveSocket: string, stateFile: string) {
    this.note(`saveAndStop ${vm.name}`);
    if (!this.qemus.has(vm.name))
      throw new QvmdError("internal", "TEMPLATE_SAVE_FAILED", `${vm.name} is not running`);
    await fs.writeFile(stateFile, "device state");
    this.qemus.delete(vm.name);
  }
  /** A clone's restore: its QEMU must wait `incoming`; then it runs, its NICs plugged. */
  async restoreClone(qmpSocket: string, _uri: string, macs: string[]) {
    this.note(`restoreClone ${macs.join(",")}`);
    const q = [...this.qemus.values()].find((x) => x.launch.qmpSocket === qmpSocket);
    if (!q?.launch.incoming) throw new QvmdError("internal", "RESTORE_FAILED", "no QEMU waits for a restore");
    Object.assign(q, { restored: true, plugged: macs });
    return { stateMs: 1, plugMs: 1 };
  }
  async cloneRunsGuest(qmpSocket: string, macs: string[]) {
    this.note("cloneRunsGuest");
    const q = [...this.qemus.values()].find((x) => x.launch.qmpSocket === qmpSocket);
    if (!q?.restored) return false;
    q.plugged = macs; // a plug a crash cut short is finished
    return true;
  }
  async resizeOverlay(disk: string, sizeGb: number) {
    this.note(`resizeOverlay ${sizeGb}`);
    this.disks.set(disk, sizeGb);
  }
  async resizeRunning(_qmp: string, _device: string, bytes: number) {
    this.note(`resizeRunning ${bytes / 1024 ** 3}`);
  }
  async buildSeed(file: string, files: SeedFiles) {
    this.note("buildSeed");
    this.seeds.set(file, files);
  }
  async createTap(ns: string | undefined, tap: string) {
    this.note(`createTap ${ns ?? "root"} ${tap}`);
    if (!this.taps.has(tap)) this.taps.set(tap, { ns: ns ?? "" });
  }
  async moveTap(from: string | undefined, to: string | undefined, tap: string) {
    if (from === to) return;
    this.note(`moveTap ${tap} ${to ?? "root"}`);
    const t = this.taps.get(tap);
    if (!t || t.ns !== (from ?? "")) throw hostFailure(`no TAP ${tap} in ${from ?? "root"}`);
    t.ns = to ?? "";
  }
  async attachTap(ns: string | undefined, tap: string, master: string, mtu?: number) {
    this.note(`attachTap ${tap} ${master}`);
    const t = this.taps.get(tap);
    if (!t || t.ns !== (ns ?? "")) throw hostFailure(`no TAP ${tap} in ${ns ?? "root"}`);
    Object.assign(t, { master, mtu });
  }
  async deleteTap(ns: string | undefined, tap: string) {
    if (this.taps.get(tap)?.ns === (ns ?? "")) {
      this.note(`deleteTap ${tap}`);
      this.taps.delete(tap);
    }
  }
  async applyPortTable(id: string, forwards: ResolvedForward[], ip: string) {
    this.note(`applyPortTable ${id} ${ip}`);
    this.portTables.set(id, { forwards, ip });
  }
  async deletePortTable(id: string) {
    if (this.portTables.delete(id)) this.note(`deletePortTable ${id}`);
  }
  async ipTables() {
    this.note("ipTables");
    return new Set([...this.portTables.keys()].map((id) => `qvmp_${id}`));
  }
  async listeners(protocol: "tcp" | "udp", port: number) {
    return this.hostListeners.filter((l) => l.protocol === protocol && l.port === port);
  }
  /** The host's own addresses a forward may name. */
  readonly local = new Set(["192.0.2.10"]);
  async localAddresses() {
    return new Set(this.local);
  }
  async discover(seg: Segment, macs: string[], _deadline: number, known: Map<string, Sighting>) {
    this.note(`discover ${seg.ifname} ${macs.join(",")}`);
    for (const m of macs) {
      const s = this.addresses.get(m);
      if (s) known.set(m, s);
    }
  }
  /** Serial logs that show cloud-init's final message, and addresses whose port 22 answers. */
  readonly cloudInitDone = new Set<string>();
  readonly sshUp = new Set<string>();
  async cloudInitFinished(serialLog: string) {
    this.note(`cloudInit ${serialLog}`);
    return this.cloudInitDone.has(serialLog);
  }
  async sshAnswers(ip: string) {
    this.note(`ssh ${ip}`);
    return this.sshUp.has(ip);
  }
  /** The root namespace's guest fence as last rendered; undefined: none. */
  hostFence?: FenceNic[];
  async applyHostFence(nics: () => Promise<FenceNic[]>) {
    this.note("applyHostFence");
    this.hostFence = await nics();
  }
  async deleteHostFence() {
    this.note("deleteHostFence");
    this.hostFence = undefined;
  }
  async hostFenceExists() {
    return this.hostFence !== undefined;
  }
}
