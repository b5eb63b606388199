// A busy guest (a build resolving many names) must never lose a lookup, even past its per-source
// rate limit and with the first upstream blackholed: over the limit, UDP gets a truncated answer
// no bigger than the query (the client retries over TCP, which a spoofed source cannot) and TCP
// is paced instead of dropped. Asserts answers and sizes, never times.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as dnsPacket from "dns-packet";
import { useLeakCheck } from "../../helpers/leaks";
import { type Forwarder, startForwarder } from "../../../agent/src/dns";
import {
  type Fake,
  addresses,
  askTcp,
  dead,
  encodeQuery,
  eventually,
  positive,
  startFake,
  stubLookup,
} from "./fakes";

useLeakCheck();

describe("dns forwarder: busy clients never lose a lookup", function () {
  this.timeout(60000);
  const fakes: Fake[] = [];
  let fwd: Forwarder | undefined;

  const start = async (rateLimit: { qps: number; burst: number }) => {
    const hole = await startFake("127.0.0.1", dead);
    const up = await startFake("127.0.0.1", positive("192.0.2.9"));
    fakes.push(hole, up);
    fwd = await startForwarder({
      listen: { address: "127.0.0.1", port: 0 },
      upstreams: { kind: "static", servers: [hole.server, up.server] },
      allowedSources: ["127.0.0.0/8"],
      rateLimit,
      zone: "dev.internal",
      records: { web: ["10.0.0.1"] },
    });
    return fwd.address.port;
  };

  afterEach(async () => {
    await fwd?.close();
    fwd = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  it("answers every one of many back-to-back lookups past the rate limit, first upstream dead", async () => {
    const port = await start({ qps: 100, burst: 20 });
    let lost = 0;
    let viaTcp = 0;
    for (let i = 0; i < 300; i++) {
      const name = i % 3 === 0 ? "web.dev.internal" : `n${i}.example.com`;
      const r = await stubLookup(port, name, { timeoutMs: 1500, edns: i % 2 ? 1232 : undefined });
      if (!r) lost++;
      else {
        assert.deepEqual(addresses(r.packet), [i % 3 === 0 ? "10.0.0.1" : "192.0.2.9"], name);
        if (r.viaTcp) viaTcp++;
      }
    }
    assert.equal(lost, 0, "lookups that got no answer at all");
    assert.ok(viaTcp > 0, "the rate limit was reached (some lookups went over TCP)");
    assert.ok(fwd!.stats().rateLimited >= viaTcp);
  });

  it("over the limit, UDP answers are truncated and never bigger than the query", async () => {
    const port = await start({ qps: 1, burst: 5 });
    const s = dgram.createSocket("udp4");
    const replies: Buffer[] = [];
    s.on("message", (m) => replies.push(m));
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
    const queries = Array.from({ length: 30 }, (_, i) =>
      encodeQuery(i % 2 ? "web.dev.internal" : "x.example.com", {
        id: i,
        edns: i % 4 < 2 ? 4096 : undefined,
      }),
    );
    for (const q of queries) s.send(q, port, "127.0.0.1");
    await eventually(async () => replies.length >= 30);
    s.close();
    assert.equal(replies.length, 30, "every query got an answer");
    let truncated = 0;
    for (const m of replies) {
      const p = dnsPacket.decode(m);
      const q = queries[p.id!]!;
      assert.ok(m.length <= q.length || !((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE), "no amplification");
      if ((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) {
        truncated++;
        assert.equal(m.length <= q.length, true);
        assert.equal(p.answers?.length ?? 0, 0);
        assert.deepEqual(p.questions, dnsPacket.decode(q).questions);
      }
    }
    assert.ok(truncated >= 20, `${truncated} truncated`);
  });

  it("paces TCP queries past the limit instead of dropping them", async () => {
    const port = await start({ qps: 200, burst: 10 });
    const queries = Array.from({ length: 150 }, (_, i) =>
      encodeQuery(i % 2 ? "web.dev.internal" : `t${i}.example.com`, { id: i }),
    );
    // More than a connection may have pending at once, too: reading pauses, nothing is dropped.
    const answers = await askTcp(port, queries, 20000);
    assert.equal(answers.length, 150);
    assert.deepEqual(new Set(answers.map((p) => p.id)).size, 150);
  });
});
