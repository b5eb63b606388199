// One query's path, whatever the transport: allow-list, rate limit, parse, local data, upstreams.
// Every reason to drop comes before any work proportional to the packet, and dropping is silent:
// an answer to a source we do not serve is exactly what a reflection attack wants.
import { adaptUpstreamResponse, fitForUdp, localResponse, servfailResponse } from "./answer";
import type { SourceAcl } from "./acl";
import { clientUdpLimit, parseQuery, FLAG_CD } from "./query";
import type { RateLimiter } from "./ratelimit";
import type { Resolver } from "./resolver";
import type { Counters } from "./stats";
import { type LocalTable, lookup } from "./zone";

export type Transport = "udp" | "tcp";

export interface EngineState {
  acl: SourceAcl;
  limiter: RateLimiter | undefined;
  table: LocalTable;
  resolver: Resolver;
  counters: Counters;
}

/** Checks that need only the source; TCP runs the allow-list once per connection, not per frame. */
export function admit(s: EngineState, source: string, checks: { acl: boolean; rate: boolean }): boolean {
  if (checks.acl && !s.acl.allows(source)) {
    s.counters.dropped.notAllowed++;
    return false;
  }
  if (checks.rate && s.limiter && !s.limiter.take(source, performance.now())) {
    s.counters.dropped.ratelimited++;
    return false;
  }
  return true;
}

/** The bytes to send back, or undefined to stay silent. Never throws. */
export async function answer(
  s: EngineState,
  packet: Buffer,
  transport: Transport,
): Promise<Buffer | undefined> {
  const parsed = parseQuery(packet);
  if (!parsed.ok) {
    s.counters.dropped.malformed++;
    return undefined;
  }
  const q = parsed.query;
  s.counters.queries++;
  const fit = (response: Buffer) => {
    if (transport === "tcp") return response;
    const r = fitForUdp(q, response, clientUdpLimit(q));
    if (r.truncated) s.counters.truncated++;
    return r.bytes;
  };
  const local = lookup(s.table, q);
  if (local) {
    s.counters.answeredLocal++;
    return fit(localResponse(q, local.rcode, local.answers, local.authority));
  }
  const key = `${q.key}|${q.qtype}|${q.qclass}|${q.edns?.dnssecOk ? 1 : 0}|${q.flags & FLAG_CD ? 1 : 0}`;
  const pending = s.resolver.resolve(key, {
    labels: q.labels,
    qtype: q.qtype,
    qclass: q.qclass,
    dnssecOk: q.edns?.dnssecOk ?? false,
    checkingDisabled: (q.flags & FLAG_CD) !== 0,
  });
  if (!pending) {
    s.counters.dropped.overload++;
    return undefined;
  }
  s.counters.forwarded++;
  const r = await pending;
  if (r.kind === "servfail") {
    s.counters.servfail++;
    return servfailResponse(q);
  }
  return fit(adaptUpstreamResponse(q, r.bytes, r.scan));
}
