// DNS forwarders run in the root namespace (so they can reach the host's own resolver) on their
// network's gateway address, all in one unprivileged process of their own (qvmd binds port 53
// and hands the sockets over), so a flood never shares qvmd's event loop with the API. Their
// zone's host table follows the instances on the network.
import * as path from "node:path";
import { type HostRecord, type RemoteForwarder, validateForwarderOptions } from "../dns";
import { ID_PATTERN } from "../constants";
import { QvmdError, notFound, violationsError } from "../errors";
import type { Networks } from "../network/manager";
import type { ResolvedNetwork } from "../network/spec";
import type { StateStore } from "../state";
import { Mutex } from "../util/lock";
import type { DnsForwarderHost } from "./host";
import { type DnsForwarderSpec, dnsForwarderSpecShape, forwarderOptions, propertyName } from "./spec";

export interface DnsForwarderStatus {
  spec: DnsForwarderSpec;
  address: string;
  port: number;
  upstreamSource: string;
  upstreams: string[];
  names: string[];
}

export class DnsForwarders {
  private readonly running = new Map<string, { f: RemoteForwarder; network: ResolvedNetwork }>();
  private readonly lock = new Mutex();

  constructor(
    private readonly state: StateStore,
    private readonly networks: Networks,
    /** Instances' names and addresses on a network, for the zone. */
    private readonly hostsOn: (networkId: string) => HostRecord[],
    private readonly log: (m: string) => void,
    /** Where forwarders run (host.ts); unit tests give a fake that binds nothing. */
    private readonly host: DnsForwarderHost,
    /** Tests run the forwarder on another port (53 may be taken on a developer's machine). */
    private readonly port = Number(process.env.QVMD_DNS_PORT ?? 53),
  ) {}

  /** `uid`: the caller, recorded as the owner of a new forwarder. */
  apply(input: DnsForwarderSpec, uid: number): Promise<DnsForwarderStatus> {
    return this.lock.run(async () => {
      const spec = dnsForwarderSpecShape.parse(input);
      // Before anything is recorded: a path the forwarders could not read is the caller's error.
      for (const [property, file] of [
        ["hostsFile", spec.hosts_file],
        ["resolvConf", spec.resolv_conf],
      ] as const) {
        const why = file === "" || !path.isAbsolute(file) ? undefined : await this.host.whyUnreadable(file);
        if (why)
          throw new QvmdError("invalid", "DNS_BAD_PATH", why, {
            property,
            hint: "name a world-readable regular file (at most 1 MiB)",
          });
      }
      if (!ID_PATTERN.test(spec.id))
        throw new QvmdError("invalid", "BAD_ID", `id "${spec.id}" must match ${ID_PATTERN}`, {
          property: "id",
        });
      const net = await this.networks.get(spec.network_id).catch(() => undefined);
      if (!net)
        throw new QvmdError("invalid", "UNKNOWN_NETWORK", `network ${spec.network_id} does not exist`, {
          property: "networkId",
        });
      const other = Object.entries(this.state.dnsForwarders).find(
        ([id, r]) => id !== spec.id && r.spec.network_id === spec.network_id,
      );
      if (other)
        throw new QvmdError(
          "invalid",
          "DNS_NETWORK_TAKEN",
          `network ${spec.network_id} already has DNS forwarder ${other[0]}`,
          {
            property: "networkId",
            hint: "one forwarder per network: it owns the gateway's port 53",
          },
        );
      const opts = forwarderOptions(spec, net.network, this.port);
      const violations = validateForwarderOptions(opts);
      if (violations.length > 0)
        throw violationsError(violations.map((v) => ({ ...v, property: propertyName(v.property) })));
      await this.state.update((d) => {
        d.dnsForwarders[spec.id] = {
          spec: input,
          uid: d.dnsForwarders[spec.id] ? d.dnsForwarders[spec.id]!.uid : uid,
          createdAt: d.dnsForwarders[spec.id]?.createdAt ?? new Date().toISOString(),
        };
      });
      const cur = this.running.get(spec.id);
      const before = cur?.network.id;
      if (cur) await cur.f.update(opts);
      else this.running.set(spec.id, { f: await this.host.start(spec.id, opts), network: net.network });
      this.running.get(spec.id)!.network = net.network;
      // The gateway's DNS port is open to the guests only while a forwarder serves it.
      await this.networks.refreshFirewall(net.network.id);
      if (before !== undefined && before !== net.network.id) await this.networks.refreshFirewall(before);
      await this.pushHosts(spec.id);
      return this.status(spec.id);
    });
  }

  private async pushHosts(id: string): Promise<void> {
    const r = this.running.get(id);
    const rec = this.state.dnsForwarders[id];
    if (!r || !rec) return;
    const spec = dnsForwarderSpecShape.parse(rec.spec);
    if (spec.zone === "") return;
    try {
      await r.f.setHosts(this.hostsOn(spec.network_id));
    } catch (e) {
      this.log(`dns forwarder ${id}: host table refused: ${(e as Error).message}`);
    }
  }

  /** What a network's gateway serves its guests on behalf of forwarders: the port one listens on. */
  gatewayServices(netId: string): { dnsPort?: number } {
    for (const r of this.running.values()) if (r.network.id === netId) return { dnsPort: r.f.address.port };
    return {};
  }

  /** Called whenever instance addresses change. */
  refreshHosts(): void {
    for (const id of this.running.keys()) void this.pushHosts(id);
  }

  async status(id: string): Promise<DnsForwarderStatus> {
    const rec = this.state.dnsForwarders[id];
    const r = this.running.get(id);
    if (!rec || !r) throw notFound("DNS_FORWARDER_NOT_FOUND", `DNS forwarder ${id} does not exist`);
    const spec = dnsForwarderSpecShape.parse(rec.spec);
    const stats = await r.f.stats();
    const zoneNames =
      spec.zone === ""
        ? []
        : [...this.hostsOn(spec.network_id).map((h) => h.name), ...spec.records.map((x) => x.name)];
    return {
      spec,
      address: r.f.address.address,
      port: r.f.address.port,
      upstreamSource:
        stats.upstreamSource.kind + (stats.upstreamSource.path ? ` ${stats.upstreamSource.path}` : ""),
      upstreams: stats.upstreams.map((u) => u.upstream),
      names: zoneNames.map((n) => (n.endsWith(`.${spec.zone}`) ? n : `${n}.${spec.zone}`)),
    };
  }

  /** The forwarders among `only`, as GetDnsForwarder reports them, by id. */
  list(only: ReadonlySet<string>): Promise<DnsForwarderStatus[]> {
    return Promise.all(
      Object.keys(this.state.dnsForwarders)
        .filter((id) => only.has(id))
        .sort()
        .map((id) => this.status(id)),
    );
  }

  delete(id: string): Promise<boolean> {
    return this.lock.run(async () => {
      const r = this.running.get(id);
      if (r) await r.f.close();
      this.running.delete(id);
      if (r) await this.networks.refreshFirewall(r.network.id).catch(() => undefined);
      const existed = this.state.dnsForwarders[id] !== undefined;
      if (existed)
        await this.state.update((d) => {
          delete d.dnsForwarders[id];
        });
      return existed;
    });
  }

  /** On start: serve every recorded forwarder again. */
  async startAll(): Promise<void> {
    for (const [id, rec] of Object.entries(this.state.dnsForwarders))
      await this.apply(rec.spec, rec.uid ?? 0).catch((e: unknown) =>
        this.log(`dns forwarder ${id}: start failed: ${(e as Error).message}`),
      );
  }

  async closeAll(): Promise<void> {
    this.running.clear();
    await this.host.close();
  }
}
