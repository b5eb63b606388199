// Where instances can be reached: the addresses discovered for their NICs (DHCP leases as events,
// ARP sweeps for static guests), what follows them (port-forward tables, the DNS zone's host table),
// and the NICs' state as a read reports it.
import * as fs from "node:fs/promises";
import { formatIp } from "@pulumi-qemu/api/validate";
import { names, type StatePaths } from "../constants";
import { QvmdError, callCancelled } from "../errors";
import { type Lease, LeaseWatch } from "../network/leases";
import type { ResolvedNetwork } from "../network/spec";
import type { StateStore } from "../state";
import type { References } from "./conflicts";
import { bridgeSegment, networkSegment, type Sighting } from "./discovery";
import type { InstanceHost } from "./host";
import { type ResolvedInstance, resolveInstance } from "./spec";
import { awaitReady } from "./ready";

const SERIAL_TAIL_BYTES = 64 * 1024;

export interface NicState {
  networkId: string;
  bridgeId: string;
  mac: string;
  tap: string;
  ip: string;
  source: "" | "dhcp" | "arp";
}

export class InstanceAddresses {
  private readonly watches = new Map<string, LeaseWatch>();
  /**
   * Port-forward tables of ours that may exist: listed once, then kept up to date by our own
   * applies and deletes (the guard's check lists again), so that refreshing every instance's
   * forwards costs no command for the instances without any.
   */
  private portTables?: Set<string>;

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly host: InstanceHost,
    private readonly log: (m: string) => void,
    /** Told whenever addresses may have changed (the DNS zone follows them). */
    private readonly changed: () => void,
    /** Told when a network's leases change (the guest fence follows them). */
    private readonly onLease: (networkId: string) => void = () => undefined,
  ) {}

  /** The lease file of a network, watched (inotify) from the first time an instance needs it. */
  leases(n: ResolvedNetwork): LeaseWatch {
    let w = this.watches.get(n.id);
    if (!w) {
      w = new LeaseWatch(this.p.networkDir(n.id), this.p.leases(n.id));
      // A guest's lease is an address its fence lets it use.
      w.on("lease", () => this.onLease(n.id));
      w.start();
      this.watches.set(n.id, w);
    }
    return w;
  }

  /**
   * Waits until every NIC has an address or `seconds` pass, records what was found and publishes
   * it; INSTANCE_NO_IP (with the serial log's tail) for what was not found.
   */
  async wait(
    inst: ResolvedInstance,
    { networks, bridges }: References,
    seconds: number,
    progress: (m: string) => void,
    alive: () => Promise<boolean>,
    cancelled?: AbortSignal,
    /** Told the first NIC's address as soon as its lease is seen (before it is recorded). */
    early?: (ip: string) => void,
  ): Promise<void> {
    const rec = this.state.instances[inst.id]!;
    const known = new Map<string, Sighting>(
      Object.entries(rec.addresses).map(([mac, a]) => [mac, { mac, ...a }]),
    );
    const macs = inst.nics.map((x) => x.mac);
    progress(`waiting for addresses of ${macs.join(", ")}`);
    const deadline = Date.now() + seconds * 1000;
    const first = inst.nics[0];
    const firstNet = first?.networkId !== undefined ? networks.get(first.networkId) : undefined;
    let unhook: () => void = () => undefined;
    if (early && first && firstNet && !known.has(first.mac)) {
      const w = this.leases(firstNet);
      const seen = (l: Lease) => {
        if (l.mac !== first.mac) return;
        unhook();
        early(l.ip);
      };
      w.on("lease", seen);
      unhook = () => void w.off("lease", seen);
    }
    // Each network (leases, ARP in its namespace) and each host bridge (ARP from the bridge's own
    // address, or listening only when it has none) is watched for its own NICs, all at once.
    await Promise.all([
      ...[...networks.values()].map((n) => {
        const mine = inst.nics.filter((x) => x.networkId === n.id).map((x) => x.mac);
        return this.host.discover(networkSegment(n, this.leases(n)), mine, deadline, known, cancelled);
      }),
      ...[...bridges.entries()].map(([id, b]) => {
        const mine = inst.nics.filter((x) => x.bridgeId === id).map((x) => x.mac);
        return this.host.discover(bridgeSegment(b), mine, deadline, known, cancelled);
      }),
    ]).finally(unhook);
    if (cancelled?.aborted) throw callCancelled(`instance ${inst.id}: waiting for addresses`);
    await this.state.update((d) => {
      d.instances[inst.id]!.addresses = Object.fromEntries(
        [...known.values()].map((s) => [s.mac, { ip: s.ip, source: s.source }]),
      );
    });
    await this.publish();
    for (const s of known.values()) progress(`address ${s.ip} (${s.source}) for ${s.mac}`);
    const missing = macs.filter((m) => !known.has(m));
    if (missing.length === 0) return;
    const running = await alive();
    throw new QvmdError(
      "precondition",
      "INSTANCE_NO_IP",
      `instance ${inst.id}: no address for ${missing.join(", ")} within ${seconds}s` +
        `${running ? " (the VM is running)" : " (the VM is not running)"}; serial log tail:\n${await this.serialTail(inst.id)}`,
      { property: "waitForIp", hint: `full serial log: ${this.p.instanceSerial(inst.id)}` },
    );
  }

  /** waitFor cloudInit | ssh once the addresses are known, within the same deadline (ready.ts). */
  ready(
    inst: ResolvedInstance,
    w: { waitFor: "cloudInit" | "ssh"; seconds: number },
    from: number,
    progress: (m: string) => void,
    o: {
      alive: () => Promise<boolean>;
      serialLog?: string;
      cancelled?: AbortSignal;
      /** An SSH wait already started at the lease (the same deadline): taken over when for this address. */
      early?: { ip: string; answered: Promise<boolean> };
    },
  ): Promise<void> {
    const mac = inst.nics[0]?.mac;
    return awaitReady({
      ...w,
      id: inst.id,
      deadline: from + w.seconds * 1000,
      serialLog: o.serialLog ?? this.p.instanceSerial(inst.id),
      firstIp: async () => (mac ? (this.state.instances[inst.id]?.addresses[mac]?.ip ?? "") : ""),
      alive: o.alive,
      tail: () => this.serialTail(inst.id),
      probes: {
        cloudInitFinished: (log, deadline, c) => this.host.cloudInitFinished(log, deadline, c),
        sshAnswers: (ip, deadline, c) =>
          o.early?.ip === ip ? o.early.answered : this.host.sshAnswers(ip, deadline, c),
      },
      progress,
      cancelled: o.cancelled,
    });
  }

  /** The last lines of the guest's serial log, reading at most its last 64 KiB (it may be huge). */
  private async serialTail(id: string, lines = 25): Promise<string> {
    const fh = await fs.open(this.p.instanceSerial(id), "r").catch(() => undefined);
    if (!fh) return "";
    try {
      const size = (await fh.stat()).size;
      const buf = Buffer.alloc(Math.min(size, SERIAL_TAIL_BYTES));
      const { bytesRead } = await fh.read(buf, 0, buf.length, size - buf.length);
      const text = buf.subarray(0, bytesRead).toString("utf8");
      return text.replace(/\r/g, "").split("\n").slice(-lines).join("\n");
    } finally {
      await fh.close();
    }
  }

  /** Addresses may have changed: port forwards follow, then the DNS zone. */
  async publish(): Promise<void> {
    await this.refreshPortForwards();
    this.changed();
  }

  /** Re-renders every instance's port forwards to its current address. */
  async refreshPortForwards(): Promise<void> {
    const present = (this.portTables ??= await this.host.ipTables());
    for (const [id, rec] of Object.entries(this.state.instances)) {
      const inst = resolveInstance(rec.spec).instance;
      const first = inst?.nics[0];
      const ip = first
        ? (rec.addresses[first.mac]?.ip ?? (first.ip !== undefined ? formatIp(first.ip) : undefined))
        : undefined;
      const table = names.portTable(id);
      if (!inst || inst.forwards.length === 0) {
        if (present.has(table)) {
          await this.host.deletePortTable(id);
          present.delete(table);
        }
      } else if (ip) {
        present.add(table);
        await this.host
          .applyPortTable(id, inst.forwards, ip)
          .catch((e: unknown) => this.log(`instance ${id}: port forwards: ${(e as Error).message}`));
      }
    }
  }

  /** An instance is gone: its table with it. */
  async deletePortTable(id: string): Promise<void> {
    await this.host.deletePortTable(id);
    this.portTables?.delete(names.portTable(id));
  }

  /** Port-forward tables that should exist and do not (another tool flushed them). */
  async missingPortTables(): Promise<string[]> {
    const wanted = Object.entries(this.state.instances).filter(([, rec]) => {
      const inst = resolveInstance(rec.spec).instance;
      return inst && inst.forwards.length > 0 && Object.keys(rec.addresses).length > 0;
    });
    if (wanted.length === 0) return [];
    const present = await this.host.ipTables();
    this.portTables = present;
    return wanted
      .filter(([id]) => !present.has(names.portTable(id)))
      .map(([id]) => `nft table ip ${names.portTable(id)} missing`);
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

  /** The NICs as a read reports them; a lease seen since the last wait is fresher than the record. */
  async nics(
    inst: ResolvedInstance,
    pid: number,
    network: (id: string) => Promise<ResolvedNetwork | undefined>,
  ): Promise<NicState[]> {
    const rec = this.state.instances[inst.id];
    const out: NicState[] = [];
    for (const [i, nic] of inst.nics.entries()) {
      const net = nic.networkId !== undefined ? await network(nic.networkId) : undefined;
      const lease = net ? this.leases(net).get(nic.mac) : undefined;
      const ip =
        lease && lease.expiry > Date.now() / 1000
          ? { ip: lease.ip, source: "dhcp" as const }
          : rec?.addresses[nic.mac];
      out.push({
        networkId: nic.networkId ?? "",
        bridgeId: nic.bridgeId ?? "",
        mac: nic.mac,
        tap: names.tap(inst.id, i),
        ip: pid > 0 ? (ip?.ip ?? "") : "",
        source: pid > 0 ? (ip?.source ?? "") : "",
      });
    }
    return out;
  }

  close(): void {
    for (const w of this.watches.values()) w.stop();
  }
}
