// The life of an instance: disk overlay, seed, TAPs, QEMU in the network's namespace, addresses.
// Pure decisions are in spec.ts; QEMU specifics in ../qemu; this file sequences them.
import * as fs from "node:fs/promises";
import { createHash } from "node:crypto";
import { names, type StatePaths } from "../constants";
import { QvmdError, notFound, stateCorrupt, violationsError } from "../errors";
import type { Images, ImageStatus } from "../image/manager";
import { contains, formatIp, parseIp, type Violation } from "@pulumi-qemu/api/validate";
import { LeaseWatch } from "../network/leases";
import type { Networks } from "../network/manager";
import type { ResolvedNetwork } from "../network/spec";
import { qemuBinary, uefiFirmware, type QemuLaunch } from "../qemu/argv";
import { renderMetaData, renderUserData } from "../qemu/seed-render";
import type { InstanceRecord, StateStore } from "../state";
import { Mutex } from "../util/lock";
import { bridgeSegment, type HostBridge, networkSegment, type Sighting } from "./discovery";
import type { Bridges } from "../bridge/manager";
import type { InstanceHost } from "./host";
import { listenerClash } from "./ports";
import { forwardsClash, type InstanceSpec, type ResolvedInstance, resolveInstance } from "./spec";

const GiB = 1024 ** 3;
const STOP_GRACE_MS = 10000;

export type Progress = (message: string, done?: number, total?: number) => void;

export interface NicState {
  networkId: string;
  bridgeId: string;
  mac: string;
  tap: string;
  ip: string;
  source: "" | "dhcp" | "arp";
}

export interface InstanceStatus {
  instance: ResolvedInstance;
  state: "running" | "stopped";
  pid: number;
  nics: NicState[];
  serialLog: string;
  accel: string;
  diskGb: number;
}

export class Instances {
  private readonly locks = new Map<string, Mutex>();
  private readonly leaseWatches = new Map<string, LeaseWatch>();
  private readonly accelInUse = new Map<string, string>();
  /** Told whenever an instance's addresses may have changed (the DNS zone follows them). */
  onAddressesChanged: () => void = () => undefined;

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly images: Images,
    private readonly networks: Networks,
    private readonly bridges: Bridges,
    private readonly log: (m: string) => void,
    private readonly host: InstanceHost,
  ) {}

  private lock(id: string): Mutex {
    let m = this.locks.get(id);
    if (!m) this.locks.set(id, (m = new Mutex()));
    return m;
  }

  leases(n: ResolvedNetwork): LeaseWatch {
    let w = this.leaseWatches.get(n.id);
    if (!w) {
      w = new LeaseWatch(this.p.networkDir(n.id), this.p.leases(n.id));
      w.start();
      this.leaseWatches.set(n.id, w);
    }
    return w;
  }

  /** Facts from other resources: image and network exist, no MAC or IP clash with other instances. */
  private async crossCheck(inst: ResolvedInstance): Promise<{
    image: ImageStatus;
    networks: Map<string, ResolvedNetwork>;
    bridges: Map<string, HostBridge>;
  }> {
    const v: Violation[] = [];
    if (!this.images.has(inst.image_id))
      v.push({ property: "imageId", code: "UNKNOWN_IMAGE", reason: `image ${inst.image_id} does not exist` });
    const networks = new Map<string, ResolvedNetwork>();
    const bridges = new Map<string, HostBridge>();
    for (const [i, nic] of inst.nics.entries()) {
      const at = `networks[${i}]`;
      if (nic.bridgeId !== undefined) {
        const b = await this.bridges.describe(nic.bridgeId);
        if (b) bridges.set(nic.bridgeId, b);
        else
          v.push({
            property: `${at}.bridgeId`,
            code: "UNKNOWN_BRIDGE",
            reason: `bridge ${nic.bridgeId} does not exist`,
          });
        for (const [otherId, rec] of Object.entries(this.state.instances))
          if (otherId !== inst.id && (rec.spec.nics ?? []).some((o) => o.mac.toLowerCase() === nic.mac))
            v.push({
              property: `${at}.mac`,
              code: "DUPLICATE_MAC",
              reason: `${nic.mac} is already used by instance ${otherId}`,
            });
        continue;
      }
      const net = await this.networks.get(nic.networkId!).catch(() => undefined);
      if (!net) {
        v.push({
          property: `${at}.networkId`,
          code: "UNKNOWN_NETWORK",
          reason: `network ${nic.networkId} does not exist`,
        });
        continue;
      }
      const n = net.network;
      networks.set(n.id, n);
      for (const [otherId, rec] of Object.entries(this.state.instances)) {
        if (otherId === inst.id) continue;
        for (const o of rec.spec.nics ?? []) {
          if (o.mac.toLowerCase() === nic.mac)
            v.push({
              property: `${at}.mac`,
              code: "DUPLICATE_MAC",
              reason: `${nic.mac} is already used by instance ${otherId}`,
            });
          if (nic.ip !== undefined && o.network_id === nic.networkId && parseIp(o.ip ?? "") === nic.ip)
            v.push({
              property: `${at}.ip`,
              code: "IP_TAKEN",
              reason: `${formatIp(nic.ip)} is already used by instance ${otherId}`,
            });
        }
      }
      if (nic.ip !== undefined) {
        if (!contains(n.cidr, nic.ip) || nic.ip === n.cidr.network)
          v.push({
            property: `${at}.ip`,
            code: "OUTSIDE_CIDR",
            reason: `${formatIp(nic.ip)} is not a host address of network ${n.id}`,
          });
        else if (nic.ip === n.gateway || nic.ip === n.dhcpServer)
          v.push({
            property: `${at}.ip`,
            code: "RESERVED",
            reason: `${formatIp(nic.ip)} is the ${nic.ip === n.gateway ? "gateway" : "DHCP server"}'s address`,
          });
        else if (n.dhcp.reservations.some((r) => r.ip === nic.ip && r.mac !== nic.mac))
          v.push({
            property: `${at}.ip`,
            code: "IP_TAKEN",
            reason: `${formatIp(nic.ip)} is reserved on network ${n.id} for another MAC`,
          });
      }
    }
    v.push(...(await this.portViolations(inst)));
    if (v.length > 0) throw violationsError(v);
    return { image: this.images.get(inst.image_id), networks, bridges };
  }

  /** Host ports another instance forwards, or a host process listens on. */
  private async portViolations(inst: ResolvedInstance): Promise<Violation[]> {
    const v: Violation[] = [];
    for (const [i, f] of inst.forwards.entries()) {
      const at = `portForwards[${i}].hostPort`;
      for (const [otherId, rec] of Object.entries(this.state.instances)) {
        // The same resource (by id, or by owner when a check does not know the id yet).
        if (otherId === inst.id || (inst.owner !== "" && rec.spec.owner === inst.owner)) continue;
        const other = resolveInstance(rec.spec).instance;
        if (other?.forwards.some((o) => forwardsClash(o, f)))
          v.push({
            property: at,
            code: "PORT_FORWARDED",
            reason: `${f.protocol} port ${f.hostPort} is already forwarded to instance ${otherId}`,
          });
      }
      const mine = this.state.instances[inst.id];
      const alreadyOurs =
        mine && resolveInstance(mine.spec).instance?.forwards.some((o) => forwardsClash(o, f));
      const clash = alreadyOurs
        ? undefined
        : listenerClash(f, await this.host.listeners(f.protocol, f.hostPort));
      if (clash) v.push({ property: at, code: clash.code, reason: clash.message });
    }
    return v;
  }

  /** Violations knowable before creating anything; references that do not exist yet are skipped. */
  async check(spec: InstanceSpec): Promise<Violation[]> {
    const { instance: inst, violations } = resolveInstance(spec);
    if (!inst) return violations;
    const v: Violation[] = [];
    for (const [i, nic] of inst.nics.entries())
      for (const [otherId, rec] of Object.entries(this.state.instances))
        if (
          otherId !== inst.id &&
          !(inst.owner !== "" && rec.spec.owner === inst.owner) &&
          (rec.spec.nics ?? []).some((o) => o.mac.toLowerCase() === nic.mac)
        )
          v.push({
            property: `networks[${i}].mac`,
            code: "DUPLICATE_MAC",
            reason: `${nic.mac} is already used by instance ${otherId}`,
          });
    v.push(...(await this.portViolations(inst)));
    return v;
  }

  /** Re-renders every instance's port forwards to its current address. */
  async refreshPortForwards(): Promise<void> {
    for (const [id, rec] of Object.entries(this.state.instances)) {
      const inst = resolveInstance(rec.spec).instance;
      const mac = inst?.nics[0]?.mac;
      const ip = mac
        ? (rec.addresses[mac]?.ip ??
          (inst.nics[0]!.ip !== undefined ? formatIp(inst.nics[0]!.ip) : undefined))
        : undefined;
      if (!inst || inst.forwards.length === 0) await this.host.deletePortTable(id);
      else if (ip)
        await this.host
          .applyPortTable(id, inst.forwards, ip)
          .catch((e: unknown) => this.log(`instance ${id}: port forwards: ${(e as Error).message}`));
    }
  }

  /** Port-forward tables that should exist and do not (another tool flushed them). */
  async missingPortTables(): Promise<string[]> {
    const missing: string[] = [];
    for (const [id, rec] of Object.entries(this.state.instances)) {
      const inst = resolveInstance(rec.spec).instance;
      if (!inst || inst.forwards.length === 0 || Object.keys(rec.addresses).length === 0) continue;
      if (!(await this.host.portTableExists(id))) missing.push(`nft table ip ${names.portTable(id)} missing`);
    }
    return missing;
  }

  private async addressesChanged(): Promise<void> {
    await this.refreshPortForwards();
    this.onAddressesChanged();
  }

  apply(spec: InstanceSpec, progress: Progress): Promise<InstanceStatus> {
    const id = typeof spec.id === "string" ? spec.id : "";
    return this.lock(id).run(async () => {
      const { instance: inst, violations } = resolveInstance(spec);
      if (!inst) throw violationsError(violations);
      const { image, networks, bridges } = await this.crossCheck(inst);
      const existing = this.state.instances[inst.id];
      const diskGb = inst.disk_gb || Math.max(1, Math.ceil(image.record.virtualSizeBytes / GiB));
      if (existing && diskGb < existing.diskGb)
        throw new QvmdError(
          "invalid",
          "DISK_SHRINK",
          `diskGb ${diskGb} is smaller than the current ${existing.diskGb}; disks only grow`,
          { property: "diskGb" },
        );
      const blobs = [image.record.sha256, image.record.kernelSha256, image.record.initrdSha256].filter(
        (b): b is string => !!b,
      );
      const launchKey = this.launchKey(inst, image);
      const wasRunning = existing ? await this.runningPid(inst.id) : 0;
      const mustRestart = wasRunning > 0 && existing !== undefined && existing.launchKey !== launchKey;

      await this.state.update((d) => {
        d.instances[inst.id] = {
          spec,
          blobs,
          diskGb,
          addresses: mustRestart ? {} : (existing?.addresses ?? {}),
          launchKey: existing?.launchKey ?? launchKey,
          createdAt: existing?.createdAt ?? new Date().toISOString(),
        };
      });
      for (const id of networks.keys()) await this.networks.refreshDhcp(id);

      await this.ensureDisk(inst, image, diskGb, existing, wasRunning);
      await this.ensureSeed(inst);
      if (mustRestart || (!inst.running && wasRunning)) {
        progress(mustRestart ? "restarting to apply changes" : "stopping");
        await this.host.stopQemu(
          { qmpSocket: this.p.instanceQmp(inst.id), pid: wasRunning },
          { graceMs: STOP_GRACE_MS },
        );
      }
      if (inst.running && (mustRestart || !wasRunning)) {
        await this.start(inst, image, networks, bridges, progress);
        await this.state.update((d) => {
          d.instances[inst.id]!.launchKey = launchKey;
          d.instances[inst.id]!.addresses = {};
        });
      }
      if (inst.running && inst.wait_for_ip_seconds > 0 && inst.nics.length > 0)
        await this.awaitAddresses(inst, networks, bridges, progress);
      else await this.addressesChanged();
      return this.status(inst.id);
    });
  }

  /** What QEMU was started with; a difference means a restart. */
  private launchKey(inst: ResolvedInstance, image: ImageStatus): string {
    const key = {
      cpus: inst.cpus,
      mem: inst.memory_mb,
      nics: inst.nics,
      machine: inst.machine,
      accel: inst.accel,
      image: image.record.sha256,
    };
    return createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
  }

  private async runningPid(id: string): Promise<number> {
    return (await this.host.findQemu(names.qemu(id))) ?? 0;
  }

  private async ensureDisk(
    inst: ResolvedInstance,
    image: ImageStatus,
    diskGb: number,
    existing: InstanceRecord | undefined,
    pid: number,
  ): Promise<void> {
    await fs.mkdir(this.p.instanceDir(inst.id), { recursive: true });
    const disk = this.p.instanceDisk(inst.id);
    const exists = await fs.stat(disk).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await this.host.createOverlay(disk, { path: image.path, format: image.record.format }, diskGb);
      return;
    }
    if (existing && diskGb > existing.diskGb) {
      // Growing a running guest's disk in place: QEMU resizes the image it has open.
      if (pid > 0) await this.host.resizeRunning(this.p.instanceQmp(inst.id), "disk0", diskGb * GiB);
      else await this.host.resizeOverlay(disk, diskGb);
    }
  }

  private async ensureSeed(inst: ResolvedInstance): Promise<void> {
    const hostname = inst.hostname || inst.id;
    await this.host.buildSeed(this.p.instanceSeed(inst.id), {
      metaData: inst.meta_data || renderMetaData({ instanceId: inst.id, hostname }),
      userData: renderUserData({
        userData: inst.user_data || undefined,
        sshAuthorizedKeys: inst.ssh_authorized_keys,
        hostname,
      }),
      networkConfig: inst.network_config || undefined,
    });
  }

  private async start(
    inst: ResolvedInstance,
    image: ImageStatus,
    networks: Map<string, ResolvedNetwork>,
    bridges: Map<string, HostBridge>,
    progress: Progress,
  ): Promise<void> {
    const img = image.image;
    let accel: "kvm" | "tcg" = inst.accel === "kvm" ? "kvm" : "tcg";
    if (inst.accel === "auto") {
      const probe = await this.host.probeAccel(img.arch);
      accel = probe.accel;
      progress(`accelerator: ${probe.accel} (${probe.reason})`);
    }
    this.accelInUse.set(inst.id, accel);
    const nics = inst.nics.map((n, i) => ({ tap: names.tap(inst.id, i), mac: n.mac }));
    // QEMU runs in the first NIC's namespace and opens every TAP there by name; the TAPs of NICs
    // elsewhere are moved once QEMU holds them (see taps.ts), then each joins its bridge.
    const place = (nic: ResolvedInstance["nics"][number]) =>
      nic.networkId !== undefined
        ? {
            ns: names.netns(nic.networkId),
            master: names.bridge(nic.networkId),
            mtu: networks.get(nic.networkId)?.mtu,
          }
        : { ns: undefined, master: bridges.get(nic.bridgeId!)!.name, mtu: undefined };
    const primaryNs = inst.nics[0] ? place(inst.nics[0]).ns : undefined;
    for (const nic of nics) await this.host.createTap(primaryNs, nic.tap);
    let uefi: QemuLaunch["uefi"];
    if (img.firmware === "uefi") {
      const fw = uefiFirmware(img.arch);
      const vars = this.p.instanceVars(inst.id);
      await this.host.prepareUefiVars(img.arch, vars);
      uefi = { code: fw.code, vars };
    }
    const launch: QemuLaunch = {
      name: names.qemu(inst.id),
      arch: img.arch,
      accel,
      machine: inst.machine || undefined,
      cpus: inst.cpus,
      memoryMb: inst.memory_mb,
      pidFile: this.p.instancePid(inst.id),
      qmpSocket: this.p.instanceQmp(inst.id),
      serialLog: this.p.instanceSerial(inst.id),
      disk: { path: this.p.instanceDisk(inst.id), format: "qcow2" },
      seed: this.p.instanceSeed(inst.id),
      kernel: image.kernelPath,
      initrd: image.initrdPath,
      cmdline: img.cmdline || undefined,
      firmware: img.firmware,
      uefi,
      nics,
    };
    progress(`starting ${qemuBinary(img.arch)} (${accel}, ${inst.cpus} vCPU, ${inst.memory_mb} MiB)`);
    await fs.rm(this.p.instanceSerial(inst.id), { force: true });
    await this.host.launchQemu(launch, { netns: primaryNs });
    for (const [i, nic] of inst.nics.entries()) {
      const { ns, master, mtu } = place(nic);
      await this.host.moveTap(primaryNs, ns, nics[i]!.tap);
      await this.host.attachTap(ns, nics[i]!.tap, master, mtu);
    }
  }

  private async serialTail(id: string, lines = 25): Promise<string> {
    const text = await fs.readFile(this.p.instanceSerial(id), "utf8").catch(() => "");
    return text.replace(/\r/g, "").split("\n").slice(-lines).join("\n");
  }

  private async awaitAddresses(
    inst: ResolvedInstance,
    networks: Map<string, ResolvedNetwork>,
    bridges: Map<string, HostBridge>,
    progress: Progress,
  ): Promise<void> {
    const rec = this.state.instances[inst.id]!;
    const known = new Map<string, Sighting>(
      Object.entries(rec.addresses).map(([mac, a]) => [mac, { mac, ...a }]),
    );
    const macs = inst.nics.map((x) => x.mac);
    progress(`waiting for addresses of ${macs.join(", ")}`);
    const deadline = Date.now() + inst.wait_for_ip_seconds * 1000;
    // Each network (leases, ARP in its namespace) and each host bridge (ARP from the bridge's own
    // address, or listening only when it has none) is watched for its own NICs, all at once.
    await Promise.all([
      ...[...networks.values()].map((n) => {
        const mine = inst.nics.filter((x) => x.networkId === n.id).map((x) => x.mac);
        return this.host.discover(networkSegment(n, this.leases(n)), mine, deadline, known);
      }),
      ...[...bridges.entries()].map(([id, b]) => {
        const mine = inst.nics.filter((x) => x.bridgeId === id).map((x) => x.mac);
        return this.host.discover(bridgeSegment(b), mine, deadline, known);
      }),
    ]);
    const found = known;
    await this.state.update((d) => {
      d.instances[inst.id]!.addresses = Object.fromEntries(
        [...found.values()].map((s) => [s.mac, { ip: s.ip, source: s.source }]),
      );
    });
    await this.addressesChanged();
    const missing = macs.filter((m) => !found.has(m));
    if (missing.length > 0) {
      const alive = (await this.runningPid(inst.id)) > 0;
      throw new QvmdError(
        "precondition",
        "INSTANCE_NO_IP",
        `instance ${inst.id}: no address for ${missing.join(", ")} within ${inst.wait_for_ip_seconds}s` +
          `${alive ? " (the VM is running)" : " (the VM is not running)"}; serial log tail:\n${await this.serialTail(inst.id)}`,
        { property: "waitForIp", hint: `full serial log: ${this.p.instanceSerial(inst.id)}` },
      );
    }
  }

  async status(id: string): Promise<InstanceStatus> {
    const rec = this.state.instances[id];
    if (!rec) throw notFound("INSTANCE_NOT_FOUND", `instance ${id} does not exist`);
    const { instance: inst } = resolveInstance(rec.spec);
    if (!inst) throw stateCorrupt("instance", id);
    const pid = await this.runningPid(id);
    // A lease seen since the last wait is fresher than what was recorded.
    const nics: NicState[] = [];
    for (const [i, nic] of inst.nics.entries()) {
      const net =
        nic.networkId !== undefined
          ? await this.networks.get(nic.networkId).catch(() => undefined)
          : undefined;
      const lease = net ? this.leases(net.network).get(nic.mac) : undefined;
      const rec2 = rec.addresses[nic.mac];
      const ip = lease && lease.expiry > Date.now() / 1000 ? { ip: lease.ip, source: "dhcp" as const } : rec2;
      nics.push({
        networkId: nic.networkId ?? "",
        bridgeId: nic.bridgeId ?? "",
        mac: nic.mac,
        tap: names.tap(id, i),
        ip: pid > 0 ? (ip?.ip ?? "") : "",
        source: pid > 0 ? (ip?.source ?? "") : "",
      });
    }
    return {
      instance: inst,
      state: pid > 0 ? "running" : "stopped",
      pid,
      nics,
      serialLog: this.p.instanceSerial(id),
      accel: this.accelInUse.get(id) ?? "",
      diskGb: rec.diskGb,
    };
  }

  delete(id: string): Promise<boolean> {
    return this.lock(id).run(async () => {
      const rec = this.state.instances[id];
      const pid = await this.runningPid(id);
      if (pid > 0)
        await this.host.stopQemu({ qmpSocket: this.p.instanceQmp(id), pid }, { graceMs: STOP_GRACE_MS });
      const nets = new Set((rec?.spec.nics ?? []).map((n) => n.network_id ?? "").filter((n) => n !== ""));
      // A TAP may still be where it was created (a crash before the move): look everywhere.
      const spaces = new Set<string | undefined>([undefined, ...[...nets].map((n) => names.netns(n))]);
      for (const ns of spaces) for (let i = 0; i < 8; i++) await this.host.deleteTap(ns, names.tap(id, i));
      await fs.rm(this.p.instanceDir(id), { recursive: true, force: true });
      await fs.rm(this.p.instancePid(id), { force: true });
      await fs.rm(this.p.instanceQmp(id), { force: true });
      if (rec)
        await this.state.update((d) => {
          delete d.instances[id];
        });
      for (const netId of nets) if (netId) await this.networks.refreshDhcp(netId).catch(() => undefined);
      await this.host.deletePortTable(id);
      await this.images.gc();
      await this.addressesChanged();
      return rec !== undefined;
    });
  }

  usersOfBridge(bridgeId: string): string[] {
    return Object.entries(this.state.instances)
      .filter(([, r]) => (r.spec.nics ?? []).some((n) => n.bridge_id === bridgeId))
      .map(([id]) => id);
  }

  /** Every instance's name and last known address on a network: the DNS zone's host table. */
  hostsOn(networkId: string): { name: string; ip: string }[] {
    const out: { name: string; ip: string }[] = [];
    for (const [id, rec] of Object.entries(this.state.instances))
      for (const nic of rec.spec.nics ?? []) {
        if (nic.network_id !== networkId) continue;
        const a = rec.addresses[nic.mac.toLowerCase()];
        if (a) out.push({ name: rec.spec.hostname || id, ip: a.ip });
      }
    return out;
  }

  /** On start: note which recorded VMs are still running (they are left alone) and watch leases. */
  async adoptAll(): Promise<void> {
    for (const id of Object.keys(this.state.instances)) {
      const pid = await this.runningPid(id);
      this.log(`instance ${id}: ${pid > 0 ? `running (pid ${pid}), adopted` : "not running"}`);
    }
  }

  close(): void {
    for (const w of this.leaseWatches.values()) w.stop();
  }
}
