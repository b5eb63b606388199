// The forwarder's UDP boundary (agent/src/dns/udpio.ts), both backends through one contract: every
// datagram arrives whole with its source, answers all leave, connected sockets hear their server
// only and report ICMP refusals, closed sockets deliver nothing. Then what only the batched addon
// (agent/native/udp) does: batching, slot-sized reads, argument checks; and the choice between
// them: a missing addon falls back to dgram with a log line. Real sockets on loopback.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as path from "node:path";
import { assets } from "../../../agent/src/assets";
import { chooseUdp, type Endpoint, ipv4String, type UdpBackend } from "../../../agent/src/dns/udpio";
import { ipv4Number } from "../../../agent/src/dns/udpaddr";
import { dgramBackend } from "../../../agent/src/dns/udpdgram";
import { loadNative } from "../../../agent/src/dns/udpnative";

const sockets: dgram.Socket[] = [];
const opened: Array<[UdpBackend, number]> = [];

async function bound(address = "127.0.0.1", track = true): Promise<dgram.Socket> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, r));
  if (track) sockets.push(s);
  return s;
}

interface Got {
  bytes: Buffer;
  source: string;
  port: number;
}

/** A socket taken over by the backend, recording what it hears; `echo` answers every datagram. */
async function adopted(b: UdpBackend, echo = false) {
  const s = await bound("127.0.0.1", false);
  const port = s.address().port;
  const got: Got[] = [];
  const oversized: string[] = [];
  const ep: Endpoint = {
    message(bytes, ip, from) {
      // Copied: the batched backend reuses the area once the batch is over.
      got.push({ bytes: Buffer.from(bytes), source: ipv4String(ip), port: from });
      if (echo) b.sendTo(id, bytes, ip, from);
    },
    oversized: (ip) => oversized.push(ipv4String(ip)),
    error: (code) => assert.fail(`unexpected error ${code}`),
  };
  const id = b.adopt(s, ep);
  opened.push([b, id]);
  return { id, port, got, oversized };
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
};
const settle = () => new Promise((r) => setTimeout(r, 50));

const native = () => loadNative(assets.udpAddon);
const fallback = dgramBackend();

for (const [name, backend] of [
  ["batched", native],
  ["dgram", () => fallback],
] as const) {
  describe(`dns UDP boundary (${name})`, () => {
    afterEach(() => {
      for (const [b, id] of opened.splice(0)) b.close(id);
      for (const s of sockets.splice(0)) s.close();
    });

    it("delivers every datagram whole with its source, from many sources", async () => {
      const b = backend();
      const server = await adopted(b);
      const senders = await Promise.all(Array.from({ length: 30 }, (_, i) => bound(`127.0.0.${i + 2}`)));
      const sent = new Map<string, string>();
      for (let round = 0; round < 10; round++)
        for (const [i, s] of senders.entries()) {
          const payload = `${i}:${round}:${"x".repeat((i * 37 + round * 11) % 600)}`;
          sent.set(payload, `127.0.0.${i + 2}:${s.address().port}`);
          s.send(payload, server.port, "127.0.0.1");
        }
      await until("all 300 datagrams arrived", () => server.got.length >= 300);
      assert.equal(server.got.length, 300);
      for (const g of server.got) assert.equal(sent.get(g.bytes.toString()), `${g.source}:${g.port}`);
    });

    it("sends every answer, those given while reading and a timer's", async () => {
      const b = backend();
      const server = await adopted(b, true);
      const client = await bound();
      const echoes: string[] = [];
      client.on("message", (m) => echoes.push(m.toString()));
      for (let i = 0; i < 200; i++) client.send(`q${i}`, server.port, "127.0.0.1");
      await until("200 echoes", () => echoes.length >= 200);
      assert.deepEqual(new Set(echoes), new Set(Array.from({ length: 200 }, (_, i) => `q${i}`)));
      setTimeout(() => b.sendTo(server.id, Buffer.from("late"), 0x7f000001, client.address().port), 5);
      await until("the late answer", () => echoes.includes("late"));
    });

    it("connected sockets use a random port, hear their server only, and report an ICMP refusal", async () => {
      const b = backend();
      const server = await bound();
      const stranger = await bound();
      const heard: string[] = [];
      const errors: string[] = [];
      let foreign = 0;
      const ep: Endpoint = {
        message: (m) => heard.push(m.toString()),
        error: (c) => errors.push(c),
        foreign: () => foreign++,
      };
      const c = b.open(4, "127.0.0.1", server.address().port, ep);
      opened.push([b, c]);
      server.on("message", (m, r) => server.send(`re:${m.toString()}`, r.port, r.address));
      // Sent before the socket is ready (dgram connects asynchronously): it waits, it is not lost.
      assert.equal(b.send(c, Buffer.from("hello")), undefined);
      await until("the server's answer", () => heard.length >= 1);
      const port = b.localPort(c);
      assert.ok(port > 0 && port !== server.address().port);
      stranger.send("forged", port, "127.0.0.1");
      await settle();
      assert.deepEqual(heard, ["re:hello"]);
      assert.ok(foreign <= 1, "a foreign datagram is dropped or reported, never delivered");

      const gone = await bound("127.0.0.1", false);
      const closedPort = gone.address().port;
      await new Promise<void>((r) => gone.close(r));
      const refused = b.open(4, "127.0.0.1", closedPort, ep);
      opened.push([b, refused]);
      b.send(refused, Buffer.from("anyone?"));
      await until("ECONNREFUSED", () => errors.length >= 1);
      assert.deepEqual(errors, ["ECONNREFUSED"]);
    });

    it("delivers nothing for a closed socket; bad addresses throw; IPv6 upstreams open", async () => {
      const b = backend();
      const server = await adopted(b);
      const client = await bound();
      b.close(server.id);
      client.send("after close", server.port, "127.0.0.1");
      await settle();
      assert.equal(server.got.length, 0);
      assert.equal(b.send(server.id, Buffer.from("x")), "EBADF");
      const quiet: Endpoint = { message: () => undefined, error: () => undefined };
      assert.throws(() => b.open(4, "999.0.0.1", 53, quiet), RangeError);
      assert.throws(() => b.open(4, "127.0.0.1", 0, quiet), RangeError);
      assert.throws(() => b.open(6, "127.0.0.1", 53, quiet), RangeError);
      const v6 = b.open(6, "::1", 53, quiet);
      opened.push([b, v6]);
      await until("an IPv6 local port", () => b.localPort(v6) > 0);
    });
  });
}

describe("dns UDP boundary (batched only)", () => {
  afterEach(() => {
    for (const [b, id] of opened.splice(0)) b.close(id);
    for (const s of sockets.splice(0)) s.close();
  });

  it("hands many datagrams to JavaScript per call", async () => {
    const b = native();
    const server = await adopted(b);
    const client = await bound();
    const before = { ...b.stats };
    for (let i = 0; i < 300; i++) client.send(`d${i}`, server.port, "127.0.0.1");
    await until("all 300 datagrams arrived", () => server.got.length >= 300);
    const calls = b.stats.batches - before.batches;
    assert.ok(calls < 300, `${calls} calls for 300 datagrams: nothing was batched`);
    assert.equal(b.stats.datagrams - before.datagrams, 300);
  });

  it("reports a datagram larger than a slot instead of cutting it; empty and slot-sized ones arrive whole", async () => {
    const b = native();
    const server = await adopted(b);
    const { SLOT } = b.native;
    const client = await bound("127.0.0.7");
    for (const size of [0, 1, SLOT, SLOT + 1, 65507])
      client.send(Buffer.alloc(size, 0xab), server.port, "127.0.0.1");
    await until("five datagrams accounted for", () => server.got.length + server.oversized.length >= 5);
    assert.deepEqual(
      server.got.map((g) => g.bytes.length),
      [0, 1, SLOT],
    );
    assert.ok(server.got.every((g) => g.bytes.every((x) => x === 0xab)));
    assert.deepEqual(server.oversized, ["127.0.0.7", "127.0.0.7"]);
  });

  it("bad calls into the addon throw instead of touching memory", () => {
    const n = native().native;
    assert.throws(() => n.sendTo(1, "x" as never, 1, 1), TypeError);
    assert.throws(() => n.open(4, "x".repeat(5000), 53), RangeError);
    assert.throws(() => n.adopt(-1), { code: "EBADF" });
    assert.throws(() => n.init(Buffer.alloc(1), new Int32Array(1), () => undefined), /already/);
  });
});

describe("dns UDP backend choice", () => {
  it("falls back to dgram with one log line when the addon cannot load", () => {
    const logs: string[] = [];
    const missing = path.join(path.dirname(assets.udpAddon), "absent", "qvmd-udp.node");
    const b = chooseUdp({
      wanted: undefined,
      load: () => loadNative(missing),
      fallback: dgramBackend,
      log: (l) => logs.push(l),
    });
    assert.equal(b.kind, "dgram");
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /batched UDP addon cannot load .*absent.*falling back to Node's dgram/);
  });

  it("uses the addon when it loads, and dgram without trying when QVMD_DNS_UDP=dgram", () => {
    const logs: string[] = [];
    const pick = (wanted: string | undefined) => {
      let tried = false;
      const b = chooseUdp({
        wanted,
        load: () => ((tried = true), native()),
        fallback: dgramBackend,
        log: (l) => logs.push(l),
      });
      return { kind: b.kind, tried };
    };
    assert.deepEqual(pick(undefined), { kind: "batched", tried: true });
    assert.deepEqual(pick("dgram"), { kind: "dgram", tried: false });
    assert.deepEqual(logs, []);
  });

  it("passes IPv4 sources as integers and back", () => {
    for (const a of ["0.0.0.0", "10.1.2.3", "127.0.0.1", "255.255.255.255"])
      assert.equal(ipv4String(ipv4Number(a)), a);
    assert.equal(ipv4Number("::ffff:192.0.2.1"), ipv4Number("192.0.2.1"));
    assert.equal(ipv4Number("::1"), 0);
    assert.equal(ipv4Number("1.2.3"), 0);
  });
});
