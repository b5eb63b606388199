// The real forwarder on 127.0.0.1:<random port> against fake upstreams on 127.0.0.x: which answer
// wins, and updates in place. Asserts behaviour (which answer, whether one came), never how long
// anything took.
import * as assert from "node:assert/strict";
import * as dnsPacket from "dns-packet";
import { useLeakCheck } from "../../helpers/leaks";
import { type ForwarderOptions, DnsError } from "../../../agent/src/dns";
import {
  type Behaviour,
  a,
  addresses,
  ask,
  askTcp,
  dead,
  encodeQuery,
  eventually,
  nodata,
  nxdomain,
  positive,
  rcodeOf,
  reply,
  servfail,
  slow,
} from "./fakes";
import { useForwarder } from "./harness";

useLeakCheck();

describe("dns forwarder (integration, loopback)", function () {
  const h = useForwarder();
  const { fake, start, port } = h;

  describe("forwarding semantics", () => {
    it("forwards over UDP and over TCP with several queries on one connection", async () => {
      const up = await fake(positive("192.0.2.1"));
      await start([up]);
      const r = await ask(port(), "example.com");
      assert.deepEqual(addresses(r!.packet), ["192.0.2.1"]);
      const answers = await askTcp(port(), [
        encodeQuery("one.example", { id: 1 }),
        encodeQuery("two.example", { id: 2 }),
        encodeQuery("three.example", { id: 3 }),
      ]);
      assert.deepEqual(answers.map((p) => p.id).sort(), [1, 2, 3]);
      for (const p of answers) assert.deepEqual(addresses(p), ["192.0.2.1"]);
      assert.equal(h.fwd!.stats().forwarded, 4);
    });

    it("takes the first positive answer; a slow upstream does not hold it back", async () => {
      const slowOne = await fake(slow(1000, positive("192.0.2.2")));
      const fastOne = await fake(positive("192.0.2.1"));
      await start([slowOne, fastOne]);
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.1"]);
    });

    it("does not let a fast negative answer win while a positive one may still come", async () => {
      const neg = await fake(nxdomain);
      const pos = await fake(slow(1000, positive("192.0.2.3")));
      await start([neg, pos]);
      const r = (await ask(port(), "split.example"))!.packet;
      assert.equal(rcodeOf(r), "NOERROR");
      assert.deepEqual(addresses(r), ["192.0.2.3"]);
    });

    it("returns the last negative answer when no upstream knows the name", async () => {
      const nx = await fake(nxdomain);
      const nd = await fake(nodata);
      await start([nx, nd]);
      const r1 = (await ask(port(), "nothing.example"))!.packet;
      assert.equal(rcodeOf(r1), "NOERROR");
      assert.equal(r1.answers!.length, 0);
      await h.fwd!.close();
      await start([nd, nx]);
      assert.equal(rcodeOf((await ask(port(), "nothing.example"))!.packet), "NXDOMAIN");
    });

    it("answers SERVFAIL only when every upstream failed", async () => {
      const gone = await fake(dead);
      const broken = await fake(servfail);
      await start([gone, broken], { upstreamTimeoutMs: 200 });
      assert.equal(rcodeOf((await ask(port(), "x.example"))!.packet), "SERVFAIL");
      const nx = await fake(nxdomain);
      await h.fwd!.update({
        listen: { address: "127.0.0.1", port: port() },
        upstreams: { kind: "static", servers: [gone.server, nx.server] },
        allowedSources: ["127.0.0.1/32"],
        rateLimit: false,
        upstreamTimeoutMs: 200,
      });
      assert.equal(rcodeOf((await ask(port(), "y.example"))!.packet), "NXDOMAIN");
      assert.ok(h.fwd!.stats().servfail >= 1);
    });

    it("stops waiting for a blackholed upstream once it is known to be down", async () => {
      const hole = await fake(dead);
      const nx = await fake(nxdomain);
      const opts = {
        listen: { address: "127.0.0.1", port: 0 },
        upstreams: { kind: "static" as const, servers: [hole.server, nx.server] },
        allowedSources: ["127.0.0.1/32"],
        rateLimit: false as const,
        upstreamTimeoutMs: 200,
      };
      await start([], opts);
      for (let i = 0; i < 3; i++)
        assert.equal(rcodeOf((await ask(port(), `warm${i}.example`))!.packet), "NXDOMAIN");
      const health = h.fwd!.stats().upstreams.find((u) => u.upstream === hole.server)!;
      assert.equal(health.down, true);
      assert.ok(health.consecutiveFailures >= 3);
      assert.match(health.lastError ?? "", /timeout/);
      // Now the blackhole's timeout is far longer than the client's patience: an answer proves
      // that nobody waited for it. Health survives the update because the server stayed.
      await h.fwd!.update({
        ...opts,
        listen: { address: "127.0.0.1", port: port() },
        upstreamTimeoutMs: 20000,
      });
      for (let i = 0; i < 5; i++) {
        const r = await ask(port(), `after${i}.example`, { timeoutMs: 5000 });
        assert.equal(r && rcodeOf(r.packet), "NXDOMAIN");
      }
    });

    it("retries a truncated upstream answer over TCP and sizes UDP answers by the client's EDNS buffer", async () => {
      const many = Array.from({ length: 60 }, (_, i) => `10.0.0.${i + 1}`);
      const tcOverUdp: Behaviour = (q, ctx) =>
        ctx.transport === "udp" ? reply(q, { tc: true }) : reply(q, { answers: a(q, ...many) });
      const up = await fake(tcOverUdp);
      await start([up]);
      const big = await ask(port(), "big.example", { edns: 4096 });
      assert.equal(big!.packet.flag_tc, false);
      assert.equal(addresses(big!.packet).length, 60);
      assert.ok(big!.raw.length > 512, "not cut at 512 for an EDNS client with a bigger buffer");
      assert.ok(up.received.some((r) => r.transport === "tcp"));
      assert.ok(h.fwd!.stats().tcpFallback >= 1);

      const legacy = await ask(port(), "big.example");
      assert.equal(legacy!.packet.flag_tc, true);
      assert.equal(legacy!.packet.answers!.length, 0);
      assert.ok(legacy!.raw.length <= 512);
      const small = await ask(port(), "big.example", { edns: 600 });
      assert.equal(small!.packet.flag_tc, true);
      const [viaTcp] = await askTcp(port(), [encodeQuery("big.example", { id: 9 })]);
      assert.equal(addresses(viaTcp!).length, 60);
    });

    it("passes unknown record types through untouched", async () => {
      const opaque = Buffer.from([0, 1, 2, 250, 251, 255]);
      const up = await fake((q) =>
        reply(q, {
          answers: [
            {
              type: "UNKNOWN_65400",
              name: q.questions![0]!.name,
              ttl: 7,
              data: opaque,
            } as unknown as dnsPacket.Answer,
          ],
        }),
      );
      await start([up]);
      const r = await ask(port(), "odd.example", { type: "UNKNOWN_65400" as dnsPacket.RecordType });
      const rr = r!.packet.answers![0] as unknown as { type: string; data: Buffer; ttl: number };
      assert.equal(rr.type, "UNKNOWN_65400");
      assert.deepEqual(rr.data, opaque);
      assert.equal(rr.ttl, 7);
    });
  });

  describe("updates", () => {
    it("switches upstreams and records without dropping queries", async () => {
      const before = await fake(positive("192.0.2.1"));
      const after = await fake(positive("192.0.2.2"));
      const opts = (servers: string[], ip: string): ForwarderOptions => ({
        listen: { address: "127.0.0.1", port: 0 },
        upstreams: { kind: "static", servers },
        allowedSources: ["127.0.0.1/32"],
        rateLimit: false,
        zone: "dev.internal",
        records: { web: [ip] },
      });
      await start([], opts([before.server], "10.0.0.1"));
      const listenPort = port();
      let stop = false;
      const seen: string[] = [];
      let missing = 0;
      const loop = (async () => {
        for (let i = 0; i < 2000 && !stop; i++) {
          const r = await ask(listenPort, i % 2 ? "example.com" : "web.dev.internal", { timeoutMs: 3000 });
          if (!r) missing++;
          else seen.push(addresses(r.packet).join());
        }
      })();
      await eventually(async () => seen.length > 20);
      await h.fwd!.update({
        ...opts([after.server], "10.0.0.2"),
        listen: { address: "127.0.0.1", port: listenPort },
      });
      const countAfter = seen.length;
      await eventually(async () => seen.length > countAfter + 20);
      stop = true;
      await loop;
      assert.equal(missing, 0, "no query went unanswered during the update");
      assert.equal(h.fwd!.address.port, listenPort);
      const tail = seen.slice(-10);
      assert.ok(
        tail.every((x) => x === "192.0.2.2" || x === "10.0.0.2"),
        tail.join(" "),
      );
      await assert.rejects(
        h.fwd!.update({
          ...opts(["not-an-address"], "10.0.0.3"),
          listen: { address: "127.0.0.1", port: listenPort },
        }),
        (e: unknown) => e instanceof DnsError && e.code === "DNS_INVALID_OPTIONS",
      );
      assert.deepEqual(addresses((await ask(listenPort, "example.com"))!.packet), ["192.0.2.2"]);
    });
  });
});
