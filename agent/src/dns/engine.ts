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
  truncatedResponse,
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

/** The allow-list; TCP runs it once per connection, not per frame. */
export function allows(s: EngineState, source: string): boolean {
  if (s.acl.allows(source)) return true;
  s.counters.dropped.notAllowed++;
  return false;
}

/** Takes a token from `source`'s bucket: 0, or how many ms until it has one (nothing taken). */
export function takeToken(s: EngineState, source: string): number {
  if (!s.limiter) return 0;
  const now = performance.now();
  if (s.limiter.take(source, now)) return 0;
  s.counters.rateLimited++;
  return Math.max(1, s.limiter.waitMs(source, now));
}

/**
 * A UDP query over its source's limit: header and question back with TC, so a real client asks
 * again over TCP (paced, never dropped) and a spoofed source gets no more bytes than it sent.
 */
export function answerTruncated(s: EngineState, packet: Buffer, respond: Respond): boolean {
  const parsed = parseQueryCached(packet);
  if (!parsed.ok) {
    s.counters.dropped.malformed++;
    return false;
  }
  s.counters.truncated++;
  respond(truncatedResponse(parsed.query));
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
  // Derived from the bytes after the ID, hence shared by every query with the same bytes; an
  // uncached parse (no memo) derives them for itself, without a memo object to throw away.
  const memo = q.memo as Memo | undefined;
  let local = memo?.local;
  if (memo?.table !== s.table || local === undefined) {
    const l = lookup(s.table, q);
    local = l ? encodeLocal(l.rcode, l.answers, l.authority) : null;
    if (memo) {
      memo.table = s.table;
      memo.local = local;
    }
  }
  if (local) {
    s.counters.answeredLocal++;
    respond(fit(s, q, transport, localResponseFrom(q, local)));
    return true;
  }
  const key = memo?.flightKey ?? flightKey(q);
  const upstream = memo?.upstream ?? upstreamQuestion(q);
  if (memo) {
    memo.flightKey = key;
    memo.upstream = upstream;
  }
  // The answer is built after this call returns, when the client's bytes may be gone (udpio.ts).
  // Only an uncached parse (no memo) points into them; a cached one has its own copy.
  if (memo === undefined) q.question = Buffer.from(q.question);
  const accepted = s.resolver.resolveWith(key, upstream, (r, alone) => {
    if (r.kind === "servfail") {
      s.counters.servfail++;
      respond(servfailResponse(q));
    } else respond(fit(s, q, transport, adaptUpstreamResponse(q, r.bytes, r.scan, alone)));
  });
  if (!accepted) {
    // Too many distinct questions in flight. Silence would cost the client a timeout: UDP is sent
    // to TCP (where reading pauses under load), and TCP gets SERVFAIL, so the stub moves on.
    s.counters.overload++;
    respond(transport === "udp" ? truncatedResponse(q) : servfailResponse(q));
    return true;
  }
  s.counters.forwarded++;
  return true;
}

// What follows the name in a flight key, built once per type and bits for class IN (nearly every
// query): the key is then one concatenation, not a template of five parts per query.
const IN_SUFFIXES = new Map<number, string>();

function flightKey(q: Query): string {
  const dnssecOk = q.edns?.dnssecOk ? 1 : 0;
  const cd = q.flags & FLAG_CD ? 1 : 0;
  if (q.qclass !== 1) return `${q.key}|${q.qtype}|${q.qclass}|${dnssecOk}|${cd}`;
  const code = q.qtype * 4 + dnssecOk * 2 + cd;
  let suffix = IN_SUFFIXES.get(code);
  if (suffix === undefined) {
    suffix = `|${q.qtype}|1|${dnssecOk}|${cd}`;
    // Bounded: a client cycling through every type cannot grow it without limit.
    if (IN_SUFFIXES.size < 1024) IN_SUFFIXES.set(code, suffix);
  }
  return q.key + suffix;
}

const upstreamQuestion = (q: Query): UpstreamQuestion => ({
  name: q.lowerName,
  qtype: q.qtype,
  qclass: q.qclass,
  dnssecOk: q.edns?.dnssecOk ?? false,
  checkingDisabled: (q.flags & FLAG_CD) !== 0,
});

function fit(s: EngineState, q: Query, transport: Transport, response: Buffer): Buffer {
  if (transport === "tcp") return response;
  // Nearly every answer fits: no result object for it.
  if (response.length <= 512 || response.length <= clientUdpLimit(q)) return response;
  const r = fitForUdp(q, response, clientUdpLimit(q));
  if (r.truncated) s.counters.truncated++;
  return r.bytes;
}
