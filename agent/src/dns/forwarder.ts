// The forwarder's life cycle: start, update in place, feed the host table, report, close. Updates
// swap state objects that the next query picks up; sockets are only rebound when the listen
// address changes, so an update never drops a query.
import { SourceAcl } from "./acl";
import { type EngineState, allows, answerTruncated, answerWith, takeToken } from "./engine";
import { DnsError, invalidOptions } from "./errors";
import type { HostEntry } from "./hosts";
import {
  type ForwarderOptions,
  type ResolvedOptions,
  resolveForwarderOptions,
  resolveHosts,
} from "./options";
import { RateLimiter } from "./ratelimit";
import { Resolver } from "./resolver";
import {
  type AutoPaths,
  type Source,
  type UpstreamState,
  openHostsSource,
  openUpstreamSource,
} from "./sources";
import { type Bound, type Handler, type Listener, bindSockets, serve } from "./server";
import { type ForwarderStats, newCounters } from "./stats";
import { udpReady } from "./udpio";
import { buildTable } from "./zone";

export interface HostRecord {
  /** `web` (placed in the zone) or a full name inside the zone. */
  name: string;
  ip: string;
}

export interface Forwarder {
  /** Where it listens (the real port when 0 was asked for). */
  readonly address: { address: string; port: number };
  /** Applies new options; rejects with DNS_INVALID_OPTIONS (and changes nothing) when invalid. */
  update(opts: ForwarderOptions): Promise<void>;
  /** Replaces the agent's host table (instance name → address). Throws DNS_INVALID_OPTIONS. */
  setHosts(hosts: HostRecord[]): void;
  stats(): ForwarderStats;
  /** Resolves once the current upstream source has been (re-)read; for callers that just wrote it. */
  reloadUpstreams(): Promise<void>;
  close(): Promise<void>;
}

export interface StartInternals {
  /** Where `upstreams: {kind: "auto"}` looks; tests use a temporary directory. */
  autoPaths?: AutoPaths;
  /** Sockets bound by someone else (qvmd, as root, for an unprivileged forwarder process). */
  sockets?: (listen: { address: string; port: number }) => Promise<Bound>;
  /** Options (start's and update's) qvmd checked before sending them (resolveForwarderOptions). */
  checked?: boolean;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function resolveOrThrow(opts: ForwarderOptions, checked?: boolean): ResolvedOptions {
  const r = resolveForwarderOptions(opts, checked);
  if (!r.options) throw invalidOptions(r.violations);
  return r.options;
}

export async function startForwarder(
  opts: ForwarderOptions,
  internals: StartInternals = {},
): Promise<Forwarder> {
  let o = resolveOrThrow(opts, internals.checked);
  const counters = newCounters();
  const resolver = new Resolver(counters, o.upstreamTimeoutMs, o.maxInflight);
  let hosts: HostRecord[] = [];
  let hostsFileEntries: HostEntry[] = [];
  let serial = Math.floor(Date.now() / 1000);
  let upstreamState: UpstreamState = { servers: [], ignored: [] };
  let closed = false;

  const table = () =>
    buildTable({
      zone: o.zone,
      zoneEntries: [...o.records, ...resolveHosts(hosts, o.zone).entries],
      hostsFileEntries,
      ttl: o.ttl,
      serial: serial++,
    });
  const limiterFor = (r: ResolvedOptions["rateLimit"]) => (r ? new RateLimiter(r) : undefined);
  const state: EngineState = {
    acl: new SourceAcl(o.allowedSources),
    limiter: limiterFor(o.rateLimit),
    table: table(),
    resolver,
    counters,
  };

  const onUpstreams = (s: UpstreamState) => {
    upstreamState = s;
    resolver.setUpstreams(s.servers);
  };
  const onHostsFile = (entries: HostEntry[]) => {
    hostsFileEntries = entries;
    state.table = table();
  };
  const openUpstreams = (r: ResolvedOptions) =>
    openUpstreamSource(r.upstreams, r.listen, onUpstreams, internals.autoPaths);
  let upstreamSource: Source<UpstreamState> = openUpstreams(o);
  let hostsSource: Source<HostEntry[]> | undefined = o.hostsFile
    ? openHostsSource(o.hostsFile, onHostsFile)
    : undefined;
  await Promise.all([upstreamSource.reload(), hostsSource?.reload()]);

  const handler: Handler = {
    received: () => void counters.received++,
    allows: (source) => allows(state, source),
    take: (source) => takeToken(state, source),
    answer: (packet, transport, respond) => answerWith(state, packet, transport, respond),
    truncated: (packet, respond) => answerTruncated(state, packet, respond),
    onMalformed: () => void counters.dropped.malformed++,
  };
  const bind = async (r: ResolvedOptions) => {
    try {
      const bound = internals.sockets
        ? await internals.sockets(r.listen)
        : await bindSockets(r.listen.address, r.listen.port);
      return serve(bound, handler, r.tcpIdleTimeoutMs);
    } catch (err) {
      const msg = `cannot listen on ${r.listen.address}:${r.listen.port}: ${(err as Error).message}`;
      throw new DnsError("DNS_LISTEN_FAILED", msg, [], err);
    }
  };
  let listener: Listener;
  try {
    listener = await bind(o);
  } catch (err) {
    upstreamSource.close();
    hostsSource?.close();
    throw err;
  }
  o = { ...o, listen: { address: listener.address, port: listener.port } };

  const forwarder: Forwarder = {
    get address() {
      return { address: listener.address, port: listener.port };
    },

    async update(next) {
      if (closed) throw new DnsError("DNS_CLOSED", "the forwarder is closed");
      const n = resolveOrThrow(next, internals.checked);
      // Port 0 asks for "any port": the one already bound is as good as any.
      if (n.listen.address !== listener.address || (n.listen.port !== 0 && n.listen.port !== listener.port)) {
        // New sockets first: if the new address cannot be bound, the old one keeps serving.
        const fresh = await bind(n);
        const old = listener;
        listener = fresh;
        await old.close();
      }
      n.listen = { address: listener.address, port: listener.port };
      listener.setIdleTimeout(n.tcpIdleTimeoutMs);
      const prev = o;
      o = n;
      if (!sameJson(n.upstreams, prev.upstreams) || !sameJson(n.listen, prev.listen)) {
        upstreamSource.close();
        upstreamSource = openUpstreams(n);
        await upstreamSource.reload();
      }
      if (n.hostsFile !== prev.hostsFile) {
        hostsSource?.close();
        hostsSource = undefined;
        hostsFileEntries = [];
        if (n.hostsFile) {
          hostsSource = openHostsSource(n.hostsFile, onHostsFile);
          await hostsSource.reload();
        }
      }
      resolver.timeoutMs = n.upstreamTimeoutMs;
      resolver.maxInflight = n.maxInflight;
      state.acl = new SourceAcl(n.allowedSources);
      if (!sameJson(n.rateLimit, prev.rateLimit)) state.limiter = limiterFor(n.rateLimit);
      state.table = table();
    },

    setHosts(list) {
      const { violations } = resolveHosts(list, o.zone);
      if (violations.length > 0) throw invalidOptions(violations);
      hosts = list.map((h) => ({ name: h.name, ip: h.ip }));
      state.table = table();
    },

    stats() {
      return {
        ...counters,
        dropped: { ...counters.dropped },
        upstreams: resolver.report(),
        upstreamSource: {
          kind: o.upstreams.kind,
          path: o.upstreams.kind === "resolvConf" ? o.upstreams.path : undefined,
          ignored: upstreamState.ignored,
          error: upstreamState.error,
        },
        udpIo: udpReady().kind,
      };
    },

    async reloadUpstreams() {
      await upstreamSource.reload();
    },

    async close() {
      if (closed) return;
      closed = true;
      upstreamSource.close();
      hostsSource?.close();
      resolver.close();
      await listener.close();
    },
  };
  return forwarder;
}
