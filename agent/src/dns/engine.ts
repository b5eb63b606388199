// One query's path, whatever the transport: allow-list, rate limit, parse, local data, upstreams.
// Every reason to drop comes before any work proportional to the packet, and dropping is silent:
// an answer to a source we do not serve is exactly what a reflection attack wants.
import {
  type EncodedLocal,
  adaptUpstreamResponse,
  encodeLocal,
  fitForUdp,
  localResponseFrom,
  servfailResponse,
} from "./answer";
import type { SourceAcl } from "./acl";
import { type Query, clientUdpLimit, parseQueryCached, FLAG_CD } from "./query";
import type { RateLimiter } from "./ratelimit";
import type { Resolver } from "./resolver";
import type { Counters } from "./stats";
import type { UpstreamQuestion } from "./upstreamwire";
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

/** Where an answer goes; not called when we stay silent. */
export type Respond = (bytes: Buffer) => void;

interface Memo {
  table?: LocalTable;
  local?: EncodedLocal | null;
  flightKey?: string;
  upstream?: UpstreamQuestion;
}

/** The bytes to send back, or undefined to stay silent. Never throws. */
export function answer(s: EngineState, packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    if (!answerWith(s, packet, transport, resolve)) resolve(undefined);
  });
}

/**
 * Callback form of answer, the hot path: local answers are sent before it returns, forwarded ones
 * when the upstreams have spoken. Returns false when the query is dropped (nothing will be sent).
 */
export function answerWith(s: EngineState, packet: Buffer, transport: Transport, respond: Respond): boolean {
  const parsed = parseQueryCached(packet);
  if (!parsed.ok) {
    s.counters.dropped.malformed++;
    return false;
  }
  const q = parsed.query;
  s.counters.queries++;
  // Derived from the bytes after the ID, hence shared by every query with the same bytes.
  const memo = (q.memo ?? {}) as Memo;
  let local = memo.local;
  if (memo.table !== s.table || local === undefined) {
    const l = lookup(s.table, q);
    local = l ? encodeLocal(l.rcode, l.answers, l.authority) : null;
    memo.table = s.table;
    memo.local = local;
  }
  if (local) {
    s.counters.answeredLocal++;
    respond(fit(s, q, transport, localResponseFrom(q, local)));
    return true;
  }
  const key =
    (memo.flightKey ??= `${q.key}|${q.qtype}|${q.qclass}|${q.edns?.dnssecOk ? 1 : 0}|${q.flags & FLAG_CD ? 1 : 0}`);
  const upstream = (memo.upstream ??= {
    labels: q.labels,
    qtype: q.qtype,
    qclass: q.qclass,
    dnssecOk: q.edns?.dnssecOk ?? false,
    checkingDisabled: (q.flags & FLAG_CD) !== 0,
  });
  const accepted = s.resolver.resolveWith(key, upstream, (r, alone) => {
    if (r.kind === "servfail") {
      s.counters.servfail++;
      respond(servfailResponse(q));
    } else respond(fit(s, q, transport, adaptUpstreamResponse(q, r.bytes, r.scan, alone)));
  });
  if (!accepted) {
    s.counters.dropped.overload++;
    return false;
  }
  s.counters.forwarded++;
  return true;
}

function fit(s: EngineState, q: Query, transport: Transport, response: Buffer): Buffer {
  if (transport === "tcp") return response;
  const r = fitForUdp(q, response, clientUdpLimit(q));
  if (r.truncated) s.counters.truncated++;
  return r.bytes;
}
