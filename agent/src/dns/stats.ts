// Counters the agent exposes (health RPC, metrics). Plain numbers: cheap to bump on the hot path.
export interface Counters {
  /** Datagrams and TCP frames received, before any check. */
  received: number;
  /** Well-formed queries from allowed sources that we served. */
  queries: number;
  forwarded: number;
  answeredLocal: number;
  servfail: number;
  /** UDP answers cut to header + question with TC: too big for the client, or it was over its limit. */
  truncated: number;
  /** Queries over their source's rate limit: answered TC over UDP, delayed (never dropped) over TCP. */
  rateLimited: number;
  /** Client queries that joined an identical upstream query already in flight. */
  shared: number;
  tcpFallback: number;
  /** Upstream datagrams ignored: wrong source, ID or question (spoofing attempts, late replies). */
  upstreamRejected: number;
  /** Too many distinct questions in flight: answered TC (UDP) or SERVFAIL (TCP), never dropped. */
  overload: number;
  dropped: { malformed: number; notAllowed: number };
}

export interface UpstreamHealth {
  /** address:port */
  upstream: string;
  consecutiveFailures: number;
  /** Not waited for (only probed) until it answers again. */
  down: boolean;
  lastError?: string;
  lastErrorAt?: Date;
  lastSuccessAt?: Date;
}

export interface ForwarderStats extends Counters {
  upstreams: UpstreamHealth[];
  /** Where the current upstream list came from, and why some entries of it were not used. */
  upstreamSource: { kind: string; path?: string; ignored: string[]; error?: string };
  /** How its UDP moves: the batched addon, or Node's dgram when the addon could not load. */
  udpIo: "batched" | "dgram";
}

export function newCounters(): Counters {
  return {
    received: 0,
    queries: 0,
    forwarded: 0,
    answeredLocal: 0,
    servfail: 0,
    truncated: 0,
    rateLimited: 0,
    shared: 0,
    tcpFallback: 0,
    upstreamRejected: 0,
    overload: 0,
    dropped: { malformed: 0, notAllowed: 0 },
  };
}
