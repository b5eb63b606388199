// The real forwarder on 127.0.0.1:<random port> against fake upstreams on 127.0.0.x. Asserts
// behaviour (which answer, whether one came), never how long anything took.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as dnsPacket from "dns-packet";
import { useLeakCheck } from "../../helpers/leaks";
import { type Forwarder, type ForwarderOptions, DnsError, startForwarder } from "../../../agent/src/dns";
import {
  type Behaviour,
  type Fake,
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
  startFake,
} from "./fakes";

useLeakCheck();

describe("dns forwarder (integration, loopback)", function () {
  const fakes: Fake[] = [];
  let fwd: Forwarder | undefined;
  const tmp: string[] = [];

  const fake = async (b: Behaviour, address = "127.0.0.1", wantPort = 0) => {
    const f = await startFake(address, b, wantPort);
    fakes.push(f);
    return f;
  };
  const start = async (servers: Fake[], extra: Partial<ForwarderOptions> = {}) => {
    fwd = await startForwarder({
      listen: { address: "127.0.0.1", port: 0 },
      upstreams: { kind: "static", servers: servers.map((f) => f.server) },
      allowedSources: ["127.0.0.1/32"],
      rateLimit: false,
      ...extra,
    });
    return fwd;
  };
  const port = () => fwd!.address.port;
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "dnsfwd-"));
    tmp.push(d);
    return d;
  };
  /** Replaces a file the way resolvconf and editors do: write aside, rename over. */
  const replaceFile = (file: string, text: string) => {
    fs.writeFileSync(`${file}.new`, text);
    fs.renameSync(`${file}.new`, file);
  };

  afterEach(async () => {
    await fwd?.close();
    fwd = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

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
      assert.equal(fwd!.stats().forwarded, 4);
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
      await fwd!.close();
      await start([nd, nx]);
      assert.equal(rcodeOf((await ask(port(), "nothing.example"))!.packet), "NXDOMAIN");
    });

    it("answers SERVFAIL only when every upstream failed", async () => {
      const gone = await fake(dead);
      const broken = await fake(servfail);
      await start([gone, broken], { upstreamTimeoutMs: 200 });
      assert.equal(rcodeOf((await ask(port(), "x.example"))!.packet), "SERVFAIL");
      const nx = await fake(nxdomain);
      await fwd!.update({
        listen: { address: "127.0.0.1", port: port() },
        upstreams: { kind: "static", servers: [gone.server, nx.server] },
        allowedSources: ["127.0.0.1/32"],
        rateLimit: false,
        upstreamTimeoutMs: 200,
      });
      assert.equal(rcodeOf((await ask(port(), "y.example"))!.packet), "NXDOMAIN");
      assert.ok(fwd!.stats().servfail >= 1);
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
      const health = fwd!.stats().upstreams.find((u) => u.upstream === hole.server)!;
      assert.equal(health.down, true);
      assert.ok(health.consecutiveFailures >= 3);
      assert.match(health.lastError ?? "", /timeout/);
      // Now the blackhole's timeout is far longer than the client's patience: an answer proves
      // that nobody waited for it. Health survives the update because the server stayed.
      await fwd!.update({
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
      assert.ok(fwd!.stats().tcpFallback >= 1);

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
        assert.ok(fwd!.stats().upstreamRejected >= 10, "wrong ID and wrong question were seen and ignored");
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
      assert.ok(fwd!.stats().shared >= 9);
    });
  });

  describe("local data", () => {
    it("answers the zone (records and host table), PTR for its addresses, NXDOMAIN without forwarding", async () => {
      const up = await fake(positive("203.0.113.1"));
      await start([up], { zone: "dev.internal", records: { db: ["192.168.71.20"] } });
      fwd!.setHosts([{ name: "web", ip: "192.168.71.10" }]);
      assert.deepEqual(addresses((await ask(port(), "web.dev.internal"))!.packet), ["192.168.71.10"]);
      assert.deepEqual(addresses((await ask(port(), "DB.dev.internal"))!.packet), ["192.168.71.20"]);
      const ptr = (await ask(port(), "10.71.168.192.in-addr.arpa", { type: "PTR" }))!.packet;
      assert.deepEqual(
        ptr.answers!.map((x) => (x as { data: string }).data),
        ["web.dev.internal"],
      );
      const aaaa = (await ask(port(), "web.dev.internal", { type: "AAAA" }))!.packet;
      assert.equal(rcodeOf(aaaa), "NOERROR");
      assert.equal(aaaa.answers!.length, 0);
      assert.equal(rcodeOf((await ask(port(), "ghost.dev.internal"))!.packet), "NXDOMAIN");
      assert.equal(up.received.length, 0, "nothing inside the zone was forwarded");

      fwd!.setHosts([]);
      assert.equal(rcodeOf((await ask(port(), "web.dev.internal"))!.packet), "NXDOMAIN");
      assert.throws(
        () => fwd!.setHosts([{ name: "web.example.com", ip: "192.168.71.10" }]),
        (e: unknown) => e instanceof DnsError && e.violations[0]?.code === "DNS_RECORD_OUTSIDE_ZONE",
      );
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["203.0.113.1"]);
      assert.ok(fwd!.stats().answeredLocal >= 6);
    });

    it("answers names from a hosts file and follows its replacement by rename", async () => {
      const dir = tempDir();
      const hosts = path.join(dir, "hosts");
      fs.writeFileSync(hosts, "127.0.0.1 localhost\n10.20.30.40 build.lan build\n");
      const up = await fake(nxdomain);
      await start([up], { hostsFile: hosts });
      assert.deepEqual(addresses((await ask(port(), "build.lan"))!.packet), ["10.20.30.40"]);
      const ptr = (await ask(port(), "40.30.20.10.in-addr.arpa", { type: "PTR" }))!.packet;
      assert.equal((ptr.answers![0] as { data: string }).data, "build.lan");
      replaceFile(hosts, "10.20.30.41 build.lan\n");
      const switched = await eventually(
        async () => addresses((await ask(port(), "build.lan"))!.packet).join() === "10.20.30.41",
      );
      assert.ok(switched, "the renamed-in hosts file is used");
    });
  });

  describe("upstream sources", () => {
    it("follows a resolv.conf replaced by rename", async function () {
      // resolv.conf has no port syntax, so these fakes need port 53 on their own loopback addresses.
      let one: Fake, two: Fake;
      try {
        one = await fake(positive("192.0.2.11"), "127.0.0.21", 53);
        two = await fake(positive("192.0.2.22"), "127.0.0.22", 53);
      } catch {
        return this.skip();
      }
      const dir = tempDir();
      const conf = path.join(dir, "resolv.conf");
      fs.writeFileSync(conf, `# test\nnameserver ${one.address}\n`);
      await start([], { upstreams: { kind: "resolvConf", path: conf } });
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.11"]);
      replaceFile(conf, `nameserver ${two.address}\noptions edns0\n`);
      const switched = await eventually(
        async () => addresses((await ask(port(), "example.com"))!.packet).join() === "192.0.2.22",
      );
      assert.ok(switched, "the renamed-in resolv.conf is used");
      assert.deepEqual(
        fwd!.stats().upstreams.map((u) => u.upstream),
        [`${two.address}:53`],
      );
      // A moment without the file (mid-replacement) keeps the last good upstreams.
      fs.rmSync(conf);
      await fwd!.reloadUpstreams();
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.22"]);
      assert.match(fwd!.stats().upstreamSource.error ?? "", /ENOENT/);
    });

    it("auto: uses the host's resolv.conf, or systemd-resolved's stub when it runs", async function () {
      let one: Fake;
      try {
        one = await fake(positive("192.0.2.11"), "127.0.0.21", 53);
      } catch {
        return this.skip();
      }
      const dir = tempDir();
      const autoPaths = {
        etcResolvConf: path.join(dir, "resolv.conf"),
        stubFile: path.join(dir, "stub-resolv.conf"),
      };
      fs.writeFileSync(autoPaths.etcResolvConf, `nameserver 127.0.0.53\nnameserver ${one.address}\n`);
      fwd = await startForwarder(
        {
          listen: { address: "127.0.0.1", port: 0 },
          upstreams: { kind: "auto" },
          allowedSources: ["127.0.0.1/32"],
        },
        { autoPaths },
      );
      // No stub file: 127.0.0.53 is not running, so only the other nameserver is used.
      assert.deepEqual(
        fwd.stats().upstreams.map((u) => u.upstream),
        [`${one.address}:53`],
      );
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.11"]);
      fs.writeFileSync(autoPaths.stubFile, "nameserver 127.0.0.53\n");
      const switched = await eventually(async () => fwd!.stats().upstreams[0]?.upstream === "127.0.0.53:53");
      assert.ok(switched, "the stub is preferred once it exists");
    });
  });

  describe("access control", () => {
    it("drops queries from sources that are not allowed, over UDP and TCP", async () => {
      const up = await fake(positive("192.0.2.1"));
      await start([up]);
      const r = await ask(port(), "example.com", { from: "127.0.0.2", timeoutMs: 1500 });
      assert.equal(r, undefined);
      assert.equal(fwd!.stats().dropped.notAllowed, 1);
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
      assert.ok(fwd!.stats().rateLimited >= 20);
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
      const st = fwd!.stats();
      assert.ok(st.dropped.malformed > 5000, `malformed drops: ${st.dropped.malformed}`);
      assert.deepEqual(addresses((await ask(port(), "web.dev.internal"))!.packet), ["10.0.0.1"]);
      assert.equal(rcodeOf((await ask(port(), "still.example"))!.packet), "NXDOMAIN");
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
      await fwd!.update({
        ...opts([after.server], "10.0.0.2"),
        listen: { address: "127.0.0.1", port: listenPort },
      });
      const countAfter = seen.length;
      await eventually(async () => seen.length > countAfter + 20);
      stop = true;
      await loop;
      assert.equal(missing, 0, "no query went unanswered during the update");
      assert.equal(fwd!.address.port, listenPort);
      const tail = seen.slice(-10);
      assert.ok(
        tail.every((x) => x === "192.0.2.2" || x === "10.0.0.2"),
        tail.join(" "),
      );
      await assert.rejects(
        fwd!.update({
          ...opts(["not-an-address"], "10.0.0.3"),
          listen: { address: "127.0.0.1", port: listenPort },
        }),
        (e: unknown) => e instanceof DnsError && e.code === "DNS_INVALID_OPTIONS",
      );
      assert.deepEqual(addresses((await ask(listenPort, "example.com"))!.packet), ["192.0.2.2"]);
    });
  });
});
