// A fake DNS forwarder host: forwarders that bind nothing and keep their options and host table for
// assertions.
import type { ForwarderOptions, HostRecord, RemoteForwarder } from "../../agent/src/dns";
import type { DnsForwarderHost } from "../../agent/src/dnsForwarder/host";

/** A forwarder that binds nothing: it keeps its options and host table for assertions. */
export class FakeForwarder implements RemoteForwarder {
  hosts: HostRecord[] = [];
  closed = false;
  constructor(
    readonly id: string,
    public opts: ForwarderOptions,
  ) {}
  get address() {
    return { address: this.opts.listen?.address ?? "", port: this.opts.listen?.port ?? 0 };
  }
  async update(opts: ForwarderOptions) {
    this.opts = opts;
  }
  async setHosts(hosts: HostRecord[]) {
    this.hosts = hosts;
  }
  async stats() {
    return { upstreamSource: { kind: this.opts.upstreams?.kind ?? "auto" }, upstreams: [] } as never;
  }
  async reloadUpstreams() {}
  async close() {
    this.closed = true;
  }
}

/** Where the fake forwarders "run": every one started, in order. */
export class FakeDnsForwarderHost implements DnsForwarderHost {
  readonly started: FakeForwarder[] = [];
  async start(id: string, opts: ForwarderOptions) {
    const f = new FakeForwarder(id, opts);
    this.started.push(f);
    return f;
  }
  async close() {
    for (const f of this.started) await f.close();
  }
  /** Files the fake forwarders could not follow, and why. */
  readonly unreadable = new Map<string, string>();
  async whyUnreadable(file: string) {
    return this.unreadable.get(file);
  }
}
