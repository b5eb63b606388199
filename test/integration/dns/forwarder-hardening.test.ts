// The real forwarder against hostile traffic: RFC 5452 hardening (IDs, source ports, spoofed
// replies), access control and rate limits, a malformed-packet flood. Fake upstreams on 127.0.0.x.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as dnsPacket from "dns-packet";
import { useLeakCheck } from "../../helpers/leaks";
import {
  type Behaviour,
  a,
  addresses,
  ask,
  encodeQuery,
  eventually,
  nxdomain,
  positive,
  rcodeOf,
  reply,
  slow,
} from "./fakes";
import { useForwarder } from "./harness";

useLeakCheck();

describe("dns forwarder (integration, loopback)", function () {
  const h = useForwarder();
  const { fake, start, port } = h;

  describe("RFC 5452 hardening", () => {
    it("uses a fresh random ID and source port per upstream query, with EDNS 1232", async () => {
      const up = await fake(positive("192.0.2.1"));
      await start([up]);
      for (let i = 0; i < 20; i++) await ask(port(), `n${i}.example`);
      assert.equal(up.received.length, 20);
      assert.ok(new Set(up.received.map((r) => r.port)).size >= 18, "source ports are not reused");
      assert.ok(new Set(up.received.map((r) => r.packet.id)).size >= 18, "query IDs are not predictable");
      for (const r of up.received) {
        const opt = r.packet.additionals!.find((x) => x.type === "OPT") as dnsPacket.OptAnswer;
        assert.equal(opt.udpPayloadSize, 1232);
      }
    });

    it("never shares a source port between upstream queries in flight at the same time", async () => {
      const up = await fake(slow(150, positive("192.0.2.9")));
      await start([up]);
      const all = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(port(), `c${i}.example`)));
      for (const r of all) assert.deepEqual(addresses(r!.packet), ["192.0.2.9"]);
      assert.equal(up.received.length, 40);
      // All 40 were outstanding together (each answer waits 150 ms): 40 distinct ports.
      assert.equal(new Set(up.received.map((r) => r.port)).size, 40);
      // And the pool keeps rotating: later queries still come from varied ports.
      up.behaviour = positive("192.0.2.9");
      for (let i = 0; i < 20; i++) await ask(port(), `later${i}.example`);
      assert.ok(new Set(up.received.slice(40).map((r) => r.port)).size >= 18);
    });

    it("ignores replies with a wrong ID, wrong question, wrong source port or wrong source address", async () => {
      // Binds 127.0.0.2 on the same port number as the real upstream, to forge its address only.
      let forgerAddr: dgram.Socket | undefined = undefined;
      const forgerPort = dgram.createSocket("udp4");
      await new Promise<void>((r) => forgerPort.bind(0, "127.0.0.1", r));
      const spoofing: Behaviour = async (q, ctx) => {
        if (ctx.transport !== "udp") return reply(q, { answers: a(q, "192.0.2.1") });
        const forged = (ip: string, o: { id?: number; name?: string } = {}) =>
          dnsPacket.encode({
            type: "response",
            id: o.id ?? q.id,
            flags: dnsPacket.RECURSION_AVAILABLE,
            questions: [{ name: o.name ?? q.questions![0]!.name, type: "A" }],
            answers: [{ type: "A", name: o.name ?? q.questions![0]!.name, ttl: 30, data: ip }],
          });
        const to = (s: dgram.Socket, b: Buffer) =>
          new Promise<void>((r) => s.send(b, ctx.rinfo.port, ctx.rinfo.address, () => r()));
        await to(ctx.udp, forged("6.6.6.1", { id: (q.id! + 1) & 0xffff }));
        await to(ctx.udp, forged("6.6.6.2", { name: "other.example" }));
        await to(forgerPort, forged("6.6.6.3"));
        if (forgerAddr) await to(forgerAddr, forged("6.6.6.4"));
        await new Promise((r) => setTimeout(r, 50));
        return reply(q, { answers: a(q, "192.0.2.1") });
      };
      const up = await fake(spoofing);
      forgerAddr = dgram.createSocket("udp4");
      await new Promise<void>((r) => forgerAddr!.bind(up.port, "127.0.0.2", r));
      try {
        await start([up]);
        for (let i = 0; i < 5; i++) {
          const r = await ask(port(), `target${i}.example`);
          assert.deepEqual(addresses(r!.packet), ["192.0.2.1"]);
        }
        assert.ok(h.fwd!.stats().upstreamRejected >= 10, "wrong ID and wrong question were seen and ignored");
      } finally {
        forgerPort.close();
        forgerAddr.close();
      }
    });

    it("sends one upstream query for identical concurrent client queries", async () => {
      const up = await fake(slow(200, positive("192.0.2.7")));
      await start([up]);
      const all = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ask(port(), i % 2 ? "Shared.Example" : "shared.example")),
      );
      for (const r of all) assert.deepEqual(addresses(r!.packet), ["192.0.2.7"]);
      // Each client gets its own spelling of the question back.
      assert.equal(all[1]!.packet.questions![0]!.name, "Shared.Example");
      assert.equal(up.received.length, 1);
      assert.ok(h.fwd!.stats().shared >= 9);
    });
  });

  describe("access control", () => {
    it("drops queries from sources that are not allowed, over UDP and TCP", async () => {
      const up = await fake(positive("192.0.2.1"));
      await start([up]);
      const r = await ask(port(), "example.com", { from: "127.0.0.2", timeoutMs: 1500 });
      assert.equal(r, undefined);
      assert.equal(h.fwd!.stats().dropped.notAllowed, 1);
      const closed = await new Promise<boolean>((resolve) => {
        const c = net.connect({ port: port(), host: "127.0.0.1", localAddress: "127.0.0.2" });
        let got = false;
        c.on("connect", () => {
          const q = encodeQuery("example.com");
          const len = Buffer.alloc(2);
          len.writeUInt16BE(q.length);
          c.write(Buffer.concat([len, q]));
        });
        c.on("data", () => (got = true));
        c.on("error", () => undefined);
        c.on("close", () => resolve(!got));
      });
      assert.ok(closed, "the TCP connection is closed without an answer");
      assert.equal(up.received.length, 0);
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.1"]);
    });

    it("rate-limits each source: the excess over UDP is told to use TCP", async () => {
      const up = await fake(positive("192.0.2.1"));
      await start([up], {
        rateLimit: { qps: 1, burst: 5 },
        zone: "dev.internal",
        records: { web: ["10.0.0.1"] },
      });
      const s = dgram.createSocket("udp4");
      let answers = 0;
      let truncated = 0;
      s.on("message", (m) => {
        if ((dnsPacket.decode(m).flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) truncated++;
        else answers++;
      });
      await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
      for (let i = 0; i < 30; i++) s.send(encodeQuery("web.dev.internal", { id: i }), port(), "127.0.0.1");
      await eventually(async () => answers + truncated === 30);
      s.close();
      assert.ok(answers >= 5 && answers < 10, `${answers} answers`);
      assert.equal(answers + truncated, 30);
      assert.ok(h.fwd!.stats().rateLimited >= 20);
    });
  });

  describe("robustness", () => {
    it("survives a malformed-packet flood and never answers with more bytes than it was sent", async () => {
      const up = await fake(nxdomain);
      await start([up], { zone: "dev.internal", records: { web: ["10.0.0.1"] }, upstreamTimeoutMs: 300 });
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const byte = () => Math.floor(rnd() * 256);
      const seeds = [
        encodeQuery("host.example.org", { type: "AAAA" }),
        encodeQuery("mail.example.net", { type: "MX", edns: 1232 }),
        encodeQuery("x.example.com", { type: "TXT", edns: 4096 }),
      ];
      const packets: Buffer[] = [];
      for (let i = 0; i < 20000; i++) {
        if (i % 2 === 0) {
          packets.push(Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 100) }, byte)));
          continue;
        }
        const p = Buffer.from(seeds[i % seeds.length]!);
        for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) p[Math.floor(rnd() * p.length)] = byte();
        const cut = rnd() < 0.1 ? p.subarray(0, Math.floor(rnd() * p.length)) : p;
        packets.push(rnd() < 0.05 ? Buffer.concat([cut, Buffer.from([byte(), byte()])]) : cut);
      }
      const maxSentById = new Map<number, number>();
      for (const p of packets) {
        if (p.length < 2) continue;
        const id = p.readUInt16BE(0);
        maxSentById.set(id, Math.max(maxSentById.get(id) ?? 0, p.length));
      }
      const flood = async (from: string, list: Buffer[]) => {
        const s = dgram.createSocket("udp4");
        const oversized: string[] = [];
        let replies = 0;
        s.on("message", (m) => {
          replies++;
          const id = m.length >= 2 ? m.readUInt16BE(0) : -1;
          if (m.length > (maxSentById.get(id) ?? 0)) oversized.push(`${m.length} bytes for id ${id}`);
        });
        await new Promise<void>((r) => s.bind(0, from, r));
        for (let i = 0; i < list.length; i += 200) {
          await Promise.all(
            list
              .slice(i, i + 200)
              .map((p) => new Promise<void>((r) => s.send(p, port(), "127.0.0.1", () => r()))),
          );
          await new Promise((r) => setImmediate(r));
        }
        await new Promise((r) => setTimeout(r, 1000));
        s.close();
        return { replies, oversized };
      };
      const allowed = await flood("127.0.0.1", packets);
      const stranger = await flood("127.0.0.2", packets.slice(0, 2000));
      assert.deepEqual(allowed.oversized, []);
      assert.equal(stranger.replies, 0, "nothing at all goes to a source that is not allowed");
      const st = h.fwd!.stats();
      assert.ok(st.dropped.malformed > 5000, `malformed drops: ${st.dropped.malformed}`);
      assert.deepEqual(addresses((await ask(port(), "web.dev.internal"))!.packet), ["10.0.0.1"]);
      assert.equal(rcodeOf((await ask(port(), "still.example"))!.packet), "NXDOMAIN");
    });
  });
});
