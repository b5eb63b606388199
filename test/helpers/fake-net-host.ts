// Fake host operations for networks and bridges (the interfaces in agent/src/<resource>/host.ts): a
// small model of the kernel objects they touch, so the managers' logic runs in unit tests without
// root. Every call is logged in order (`calls`); `failOn` makes one operation throw, as a real
// command would, to test what a failure half-way leaves behind.
import type { BridgeHost, LinkInfo, Route } from "../../agent/src/bridge/host";
import { hostFailure } from "../../agent/src/errors";
import type { FenceNic } from "../../agent/src/fence/apply";
import type { NetworkHost } from "../../agent/src/network/host";
import type { DhcpHost, HostRoute, ResolvedNetwork } from "../../agent/src/network/spec";

/** The call log and failure injection both fakes share. */
export class CallLog {
  readonly calls: string[] = [];
  private readonly failures = new Map<string, Error>();

  /** The next call of `op` (whose logged text starts with it) throws `error`. */
  failOn(op: string, error: Error = hostFailure(`fake ${op} failed`)): void {
    this.failures.set(op, error);
  }

  protected note(call: string): void {
    this.calls.push(call);
    for (const [op, e] of this.failures)
      if (call === op || call.startsWith(`${op} `)) {
        this.failures.delete(op);
        throw e;
      }
  }

  /** The logged calls whose text starts with one of `ops`. */
  only(...ops: string[]): string[] {
    return this.calls.filter((c) => ops.some((op) => c === op || c.startsWith(`${op} `)));
  }
}

const key = (name: string, ns?: string) => `${ns ?? ""}/${name}`;

export class FakeNetworkHost extends CallLog implements NetworkHost {
  readonly netns = new Set<string>();
  /** Links by namespace and name ("/qvmah" in the root namespace, "qvm-a/qvmab" in a netns). */
  readonly links = new Set<string>();
  readonly tables = new Set<string>();
  readonly dhcp = new Map<string, { network: ResolvedNetwork; extra: DhcpHost[] }>();
  readonly forwardAccept = new Set<string>();
  routes: HostRoute[] = [];
  ipForward = "0";
  /** When false, there is no iptables FORWARD chain: forward-accept rules are never needed. */
  forwardChain = true;

  async observe(id: string) {
    const ns = `qvm-${id}`;
    this.note(`observe ${id}`);
    return {
      netns: this.netns.has(ns),
      hostVeth: this.links.has(key(`qvm${id}h`)),
      bridge: this.netns.has(ns) && this.links.has(key(`qvm${id}b`, ns)),
    };
  }
  /** Not a host operation: what `ip netns add` in a batch does (tests set up leftovers with it). */
  async addNetns(id: string) {
    this.netns.add(`qvm-${id}`);
  }
  /** Not a host operation: a namespace gone, its links with it. */
  async deleteNetns(id: string) {
    const ns = `qvm-${id}`;
    this.netns.delete(ns);
    for (const l of [...this.links]) if (l.startsWith(`${ns}/`)) this.links.delete(l);
    this.links.delete(key(`qvm${id}h`)); // the veth pair goes with its namespace end
  }
  /** Understands the `netns add` and `link add` lines of render.ts; the rest configures what exists. */
  async ipBatch(lines: string[], netns?: string) {
    this.note(`ipBatch ${netns ?? "root"} ${lines.length}`);
    if (netns !== undefined && !this.netns.has(netns)) throw hostFailure(`no namespace ${netns}`);
    for (const l of lines) {
      const ns = /^netns add (\S+)$/.exec(l);
      if (ns) {
        if (this.netns.has(ns[1]!)) throw hostFailure(`namespace ${ns[1]} exists`);
        this.netns.add(ns[1]!);
      }
      const veth = /^link add (\S+) .*type veth peer name (\S+) netns (\S+)$/.exec(l);
      const bridge = /^link add (\S+) type bridge$/.exec(l);
      if (veth) {
        if (this.links.has(key(veth[1]!, netns))) throw hostFailure(`link ${veth[1]} exists`);
        this.links.add(key(veth[1]!, netns));
        this.links.add(key(veth[2]!, veth[3]));
      } else if (bridge) this.links.add(key(bridge[1]!, netns));
    }
  }
  async deleteLinks(id: string) {
    this.note(`deleteLinks ${id}`);
    this.links.delete(key(`qvm${id}h`));
    await this.deleteNetns(id);
  }
  async removeStaleVeth(id: string) {
    this.note(`removeStaleVeth ${id}`);
    this.links.delete(key(`qvm${id}h`));
  }
  /** The tables and fences made with `absent` (expected not to exist: made without a replace). */
  readonly madeAbsent: string[] = [];
  async nftApply(script: string, absent?: boolean) {
    const table = /^table inet (\S+)$/m.exec(script)?.[1] ?? "?";
    this.note(`nftApply ${table}`);
    if (absent) this.madeAbsent.push(table);
    this.tables.add(table);
  }
  async nftTableExists(id: string) {
    return this.tables.has(`qvm_${id}`);
  }
  async nftTables() {
    this.note("nftTables");
    return new Set(this.tables);
  }
  async nftDeleteTable(id: string) {
    this.note(`nftDeleteTable ${id}`);
    this.tables.delete(`qvm_${id}`);
  }
  async hostRoutes() {
    return this.routes;
  }
  async readIpForward() {
    return this.ipForward;
  }
  async writeIpForward(value: string) {
    this.note(`writeIpForward ${value}`);
    this.ipForward = value;
  }
  async ensureDhcp(n: ResolvedNetwork, extra: DhcpHost[]) {
    this.note(`ensureDhcp ${n.id}`);
    if (n.dhcp.enabled) this.dhcp.set(n.id, { network: n, extra });
    else this.dhcp.delete(n.id);
  }
  async stopDhcp(id: string) {
    this.note(`stopDhcp ${id}`);
    this.dhcp.delete(id);
  }
  async dhcpRunning(id: string) {
    return this.dhcp.has(id);
  }
  async ensureForwardAccept(id: string, cidr: string) {
    this.note(`ensureForwardAccept ${id} ${cidr}`);
    if (this.forwardChain) this.forwardAccept.add(id);
  }
  async removeForwardAccept(id: string) {
    this.note(`removeForwardAccept ${id}`);
    this.forwardAccept.delete(id);
  }
  async forwardAcceptDrift(nets: ReadonlyArray<{ id: string; cidr: string }>) {
    if (!this.forwardChain) return [];
    return nets
      .filter(({ id }) => !this.forwardAccept.has(id))
      .map(({ id }) => `FORWARD rules of ${id} missing`);
  }
  async ensureNetworkDir(id: string) {
    this.note(`ensureNetworkDir ${id}`);
  }
  /** The NICs each namespace's guest fence was last rendered for. */
  readonly fences = new Map<string, FenceNic[]>();
  async applyFence(netns: string, nics: () => Promise<FenceNic[]>, absent?: boolean) {
    this.note(`applyFence ${netns}`);
    if (absent) this.madeAbsent.push(`fence ${netns}`);
    this.fences.set(netns, await nics());
  }
  async fenceExists(netns: string) {
    return this.fences.has(netns);
  }
  /** DHCP leases (MAC to address) each network's dnsmasq handed out. */
  readonly leaseTable = new Map<string, Map<string, number>>();
  async leases(id: string) {
    return new Map(this.leaseTable.get(id) ?? []);
  }
}

interface FakeLink {
  kind?: string;
  master?: string;
  addresses: string[];
  up?: boolean;
  stp?: boolean;
  mtu?: number;
}

export class FakeBridgeHost extends CallLog implements BridgeHost {
  readonly links = new Map<string, FakeLink>();
  readonly routes = new Map<string, Route[]>();

  /** A host interface that exists before qvmd (an uplink, or a bridge to adopt). */
  addLink(name: string, link: Partial<FakeLink> = {}, routes: Route[] = []): void {
    this.links.set(name, { addresses: [], ...link });
    this.routes.set(name, routes);
  }

  private get(name: string): FakeLink {
    const l = this.links.get(name);
    if (!l) throw hostFailure(`Cannot find device "${name}"`);
    return l;
  }

  async link(name: string): Promise<LinkInfo | undefined> {
    const l = this.links.get(name);
    return l && { master: l.master, kind: l.kind, addresses: [...l.addresses] };
  }
  async routesVia(dev: string) {
    return [...(this.routes.get(dev) ?? [])];
  }
  async createBridge(name: string) {
    this.note(`createBridge ${name}`);
    if (this.links.has(name)) throw hostFailure(`${name} exists`);
    this.addLink(name, { kind: "bridge" });
  }
  async configureBridge(name: string, opts?: { stp: boolean; mtu: number }) {
    this.note(`configureBridge ${name}`);
    Object.assign(
      this.get(name),
      { up: true },
      opts ? { stp: opts.stp } : {},
      opts?.mtu ? { mtu: opts.mtu } : {},
    );
  }
  async hostRoutes() {
    return [...this.routes].flatMap(([dev, rs]) => rs.map((r) => ({ dst: r.dst, dev })));
  }
  async enslave(port: string, master: string) {
    this.note(`enslave ${port} ${master}`);
    this.get(master);
    Object.assign(this.get(port), { master, up: true });
  }
  async release(port: string) {
    this.note(`release ${port}`);
    this.get(port).master = undefined;
  }
  async replaceAddress(address: string, dev: string) {
    this.note(`replaceAddress ${address} ${dev}`);
    const l = this.get(dev);
    if (!l.addresses.includes(address)) l.addresses.push(address);
  }
  async deleteAddress(address: string, dev: string) {
    this.note(`deleteAddress ${address} ${dev}`);
    const l = this.get(dev);
    if (!l.addresses.includes(address)) throw hostFailure(`no address ${address} on ${dev}`);
    l.addresses = l.addresses.filter((a) => a !== address);
  }
  async replaceRoute(route: Route, dev: string) {
    this.note(`replaceRoute ${route.dst} ${dev}`);
    this.get(dev);
    for (const [d, rs] of this.routes)
      this.routes.set(
        d,
        rs.filter((r) => r.dst !== route.dst),
      );
    this.routes.set(dev, [...(this.routes.get(dev) ?? []), route]);
  }
  async deleteLink(name: string) {
    this.note(`deleteLink ${name}`);
    this.get(name);
    this.links.delete(name);
    for (const l of this.links.values()) if (l.master === name) l.master = undefined;
  }
}
