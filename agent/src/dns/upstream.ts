// Asking one upstream one question. Each UDP attempt gets a socket of its own from the upstream's
// pool (random kernel-chosen port, never shared by two queries in flight, rotated: pool.ts) and a
// new random ID (RFC 5452 §9.2); the socket is connected, so the kernel already drops datagrams
// from other addresses or ports, and we check again anyway. A truncated UDP answer is asked again
// over TCP (RFC 7766 §5).
import * as net from "node:net";
import type { DeadlineQueue } from "./deadlines";
import type { UdpPool } from "./pool";
import type { UpstreamAddr } from "./resolvconf";
import { type UpstreamQuestion, buildUpstreamQuery, checkReply, randomId } from "./upstreamwire";
import type { Scan } from "./wire";

export type UpstreamReply =
  | { ok: true; bytes: Buffer; scan: Scan; rcode: number; viaTcp: boolean }
  | { ok: false; error: "timeout" | "network" | "malformed"; detail: string };

export interface AskHooks {
  /** A datagram that failed the source/ID/question checks was ignored. */
  onRejected?: (reason: string) => void;
  onTcpFallback?: () => void;
  /** Registers a cancel function for shutdown; returns its unregistration. */
  track?: (cancel: () => void) => () => void;
}

const noop = () => undefined;

/**
 * One question over UDP on a pooled socket reserved for it (see pool.ts); `done` is called exactly
 * once. A truncated answer is asked again over TCP. Returns a cancel function (shutdown).
 */
export function askUdp(
  pool: UdpPool,
  server: UpstreamAddr,
  q: UpstreamQuestion,
  timeoutMs: number,
  hooks: AskHooks,
  deadlines: DeadlineQueue,
  done: (r: UpstreamReply) => void,
): () => void {
  const id = randomId();
  const ps = pool.acquire();
  let settled = false;
  const settle = (reusable: boolean) => {
    if (settled) return false;
    settled = true;
    deadlines.cancel(deadline);
    untrack();
    pool.release(ps, reusable);
    return true;
  };
  const finish = (r: UpstreamReply) => {
    if (settle(r.ok)) done(r);
  };
  const cancel = () => finish({ ok: false, error: "network", detail: "forwarder closed" });
  const deadline = deadlines.add(timeoutMs, () =>
    finish({ ok: false, error: "timeout", detail: `no answer in ${timeoutMs} ms` }),
  );
  const untrack = hooks.track?.(cancel) ?? noop;
  ps.onError = (err) => finish({ ok: false, error: "network", detail: err.message });
  const viaTcp = () => {
    if (!settle(true)) return;
    hooks.onTcpFallback?.();
    void askTcp(server, q, timeoutMs, hooks).then(done);
  };
  // Only the server's datagrams get here (the socket is connected; udpio.ts checks the source too).
  ps.receiver = (msg) => {
    const check = checkReply(msg, id, q);
    if (!check.ok) {
      hooks.onRejected?.(check.reason);
      return;
    }
    if (!check.truncated)
      finish({ ok: true, bytes: msg, scan: check.scan, rcode: check.rcode, viaTcp: false });
    else viaTcp();
  };
  // Larger than we asked for and than we read: asked again over TCP, like a truncated one.
  ps.onOversized = viaTcp;
  ps.send(buildUpstreamQuery(id, q));
  return cancel;
}

/** One question over a fresh TCP connection, two-byte length framing. */
export function askTcp(server: UpstreamAddr, q: UpstreamQuestion, timeoutMs: number, hooks: AskHooks = {}) {
  return new Promise<UpstreamReply>((resolve) => {
    const id = randomId();
    const query = buildUpstreamQuery(id, q);
    const frame = Buffer.alloc(2 + query.length);
    frame.writeUInt16BE(query.length, 0);
    query.copy(frame, 2);
    let settled = false;
    let chunks: Buffer = Buffer.alloc(0);
    const socket = net.connect({ host: server.address, port: server.port });
    const finish = (r: UpstreamReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack();
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: "timeout", detail: `no TCP answer in ${timeoutMs} ms` }),
      timeoutMs,
    );
    const untrack =
      hooks.track?.(() => finish({ ok: false, error: "network", detail: "forwarder closed" })) ?? noop;
    socket.setNoDelay(true);
    socket.on("connect", () => socket.write(frame));
    socket.on("error", (err) => finish({ ok: false, error: "network", detail: `tcp: ${err.message}` }));
    socket.on("close", () => finish({ ok: false, error: "network", detail: "tcp: closed before an answer" }));
    socket.on("data", (data) => {
      chunks = Buffer.concat([chunks, data]);
      while (chunks.length >= 2) {
        const len = chunks.readUInt16BE(0);
        if (chunks.length < 2 + len) return;
        const msg = chunks.subarray(2, 2 + len);
        chunks = chunks.subarray(2 + len);
        const check = checkReply(msg, id, q);
        if (!check.ok) {
          hooks.onRejected?.(check.reason);
          continue;
        }
        finish({ ok: true, bytes: Buffer.from(msg), scan: check.scan, rcode: check.rcode, viaTcp: true });
        return;
      }
    });
  });
}
