// Fake upstream DNS servers and a test client, on loopback only. Each fake listens on UDP and TCP
// on the same 127.0.0.x port and answers through a behaviour function.
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as dnsPacket from "dns-packet";

export interface Received {
  packet: dnsPacket.DecodedPacket;
  raw: Buffer;
  port: number;
  transport: "udp" | "tcp";
}

export interface Ctx {
  transport: "udp" | "tcp";
  /** The fake's UDP socket, for sending extra (spoofed) datagrams. */
  udp: dgram.Socket;
  rinfo: { address: string; port: number };
}

/** Returns the reply to send, or undefined to stay silent. */
export type Behaviour = (
  q: dnsPacket.DecodedPacket,
  ctx: Ctx,
) => Buffer | undefined | Promise<Buffer | undefined>;

export interface Fake {
  address: string;
  port: number;
  /** address:port as the forwarder's `servers` option takes it. */
  server: string;
  received: Received[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export function reply(
  q: dnsPacket.DecodedPacket,
  opts: { rcode?: number; answers?: dnsPacket.Answer[]; tc?: boolean; id?: number } = {},
): Buffer {
  const flags =
    dnsPacket.RECURSION_DESIRED |
    dnsPacket.RECURSION_AVAILABLE |
    (opts.tc ? dnsPacket.TRUNCATED_RESPONSE : 0);
  return dnsPacket.encode({
    type: "response",
    id: opts.id ?? q.id,
    flags: flags | (opts.rcode ?? 0),
    questions: q.questions,
    answers: opts.answers ?? [],
  });
}

export const a = (q: dnsPacket.DecodedPacket, ...ips: string[]): dnsPacket.Answer[] =>
  ips.map((ip) => ({ type: "A", name: q.questions![0]!.name, ttl: 30, data: ip }));

export const positive =
  (...ips: string[]): Behaviour =>
  (q) =>
    reply(q, { answers: a(q, ...ips) });
export const nxdomain: Behaviour = (q) => reply(q, { rcode: 3 });
export const nodata: Behaviour = (q) => reply(q, {});
export const servfail: Behaviour = (q) => reply(q, { rcode: 2 });
export const dead: Behaviour = () => undefined;
export const slow =
  (ms: number, inner: Behaviour): Behaviour =>
  (q, ctx) =>
    new Promise((resolve) => setTimeout(() => resolve(inner(q, ctx)), ms));

/**
 * A fake on `wantPort`, or on a port the kernel picks for UDP when 0. TCP then listens on that same
 * number, which the UDP pick knows nothing of: a loopback TCP connection may hold it (a closed
 * client's TIME_WAIT for 60 s, and these tests close thousands), so a picked port that TCP cannot
 * take is given back and another one picked.
 */
export async function startFake(address: string, behaviour: Behaviour, wantPort = 0): Promise<Fake> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startFakeOnce(address, behaviour, wantPort);
    } catch (err) {
      if (wantPort !== 0 || (err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 20) throw err;
    }
  }
}

async function startFakeOnce(address: string, behaviour: Behaviour, wantPort: number): Promise<Fake> {
  const udp = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(wantPort, address, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  const port = udp.address().port;
  const conns = new Set<net.Socket>();
  const fake: Fake = {
    address,
    port,
    server: `${address}:${port}`,
    received: [],
    behaviour,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        tcp.close(() => udp.close(() => resolve()));
      }),
  };
  const handle = async (raw: Buffer, ctx: Ctx) => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(raw);
    } catch {
      return undefined;
    }
    fake.received.push({ packet, raw, port: ctx.rinfo.port, transport: ctx.transport });
    return fake.behaviour(packet, ctx);
  };
  udp.on("message", (msg, rinfo) => {
    void handle(msg, { transport: "udp", udp, rinfo }).then((out) => {
      if (out) udp.send(out, rinfo.port, rinfo.address, () => undefined);
    });
  });
  const tcp = net.createServer((c) => {
    conns.add(c);
    c.on("close", () => conns.delete(c));
    c.on("error", () => undefined);
    let buf = Buffer.alloc(0);
    c.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + frame.length);
        void handle(frame, {
          transport: "tcp",
          udp,
          rinfo: { address: c.remoteAddress!, port: c.remotePort! },
        }).then((out) => {
          if (!out || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          c.write(Buffer.concat([len, out]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", (err) => {
      udp.close();
      reject(err);
    });
    tcp.listen(port, address, resolve);
  });
  return fake;
}

export interface AskOptions {
  type?: dnsPacket.RecordType;
  /** Local address to send from (e.g. 127.0.0.2 for a source that is not allowed). */
  from?: string;
  /** Where the forwarder listens; 127.0.0.1 when omitted. */
  server?: string;
  /** EDNS UDP payload size; none when omitted. */
  edns?: number;
  timeoutMs?: number;
  id?: number;
}

export function encodeQuery(name: string, o: AskOptions = {}): Buffer {
  return dnsPacket.encode({
    type: "query",
    id: o.id ?? Math.floor(Math.random() * 65536),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: o.type ?? "A" }],
    additionals: o.edns ? [{ type: "OPT", name: ".", udpPayloadSize: o.edns } as dnsPacket.Answer] : [],
  });
}

/** One UDP query; resolves undefined when nothing comes back in time (a drop). */
export function askRaw(port: number, query: Buffer, o: AskOptions = {}): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    const timer = setTimeout(() => done(undefined), o.timeoutMs ?? 5000);
    const done = (r: Buffer | undefined) => {
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    s.on("error", () => done(undefined));
    s.on("message", (m) => done(m));
    s.bind(0, o.from ?? "127.0.0.1", () => s.send(query, port, o.server ?? "127.0.0.1"));
  });
}

export async function ask(port: number, name: string, o: AskOptions = {}) {
  const raw = await askRaw(port, encodeQuery(name, o), o);
  return raw && { raw, packet: dnsPacket.decode(raw) };
}

/** Several queries over one TCP connection, answers matched by ID. */
export function askTcp(
  port: number,
  queries: Buffer[],
  timeoutMs = 5000,
): Promise<dnsPacket.DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1");
    const out: dnsPacket.DecodedPacket[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`tcp: ${out.length}/${queries.length} answers`));
    }, timeoutMs);
    c.on("error", reject);
    c.on("connect", () => {
      for (const q of queries) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length);
        c.write(Buffer.concat([len, q]));
      }
    });
    c.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === queries.length) {
        clearTimeout(timer);
        c.destroy();
        resolve(out);
      }
    });
  });
}

export const rcodeOf = (p: dnsPacket.DecodedPacket) => (p as unknown as { rcode: string }).rcode;
export const addresses = (p: dnsPacket.DecodedPacket) =>
  (p.answers ?? []).filter((x) => x.type === "A").map((x) => (x as { data: string }).data);

/** Polls `probe` until it returns true or the deadline passes; for behaviour that follows a file change. */
export async function eventually(probe: () => Promise<boolean>, deadlineMs = 5000): Promise<boolean> {
  for (let i = 0; i < deadlineMs / 100; i++) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * What a stub resolver (glibc, musl >= 1.2.4, c-ares) does: one UDP query, and the same question
 * again over TCP when the UDP answer is truncated. Undefined when no answer came: a lost lookup.
 */
export async function stubLookup(
  port: number,
  name: string,
  o: AskOptions = {},
): Promise<{ packet: dnsPacket.DecodedPacket; udpBytes: number; viaTcp: boolean } | undefined> {
  const query = encodeQuery(name, o);
  const raw = await askRaw(port, query, o);
  if (!raw) return undefined;
  const packet = dnsPacket.decode(raw);
  if (!((packet.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE))
    return { packet, udpBytes: raw.length, viaTcp: false };
  const [overTcp] = await askTcp(port, [query], o.timeoutMs ?? 5000).catch(() => [undefined]);
  return overTcp && { packet: overTcp, udpBytes: raw.length, viaTcp: true };
}
