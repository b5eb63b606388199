// The forwarder's native UDP boundary (agent/native, agent/src/dns/udpio.ts) under hostile and
// mixed traffic from many sources at once: valid queries interleaved with garbage, empty, cut,
// slot-sized and oversized datagrams. Batching must never send an answer to the wrong client,
// lose a valid query, or leave a datagram uncounted. Asserts behaviour, never times.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as dnsPacket from "dns-packet";
import { useLeakCheck } from "../../helpers/leaks";
import { type Forwarder, startForwarder } from "../../../agent/src/dns";
import { addresses, encodeQuery, eventually, type Fake, positive, startFake } from "./fakes";

useLeakCheck();

const SOURCES = 40;
const STRANGERS = 4;

describe("dns forwarder UDP boundary (many sources, hostile datagrams)", function () {
  this.timeout(60000);
  let up: Fake;
  let fwd: Forwarder;
  const sockets: dgram.Socket[] = [];

  before(async () => {
    up = await startFake("127.0.0.1", positive("192.0.2.9"));
    fwd = await startForwarder({
      listen: { address: "127.0.0.1", port: 0 },
      upstreams: { kind: "static", servers: [up.server] },
      // 127.0.0.0/26: the sources 127.0.0.2-41 are allowed, 127.0.0.100-103 are not.
      allowedSources: ["127.0.0.0/26"],
      rateLimit: false,
      zone: "fuzz.internal",
      records: { web: ["10.1.1.1"] },
    });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await fwd.close();
    await up.close();
  });

  it("answers every valid query to its own sender, counts everything else, and keeps answering", async () => {
    let seed = 13;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    const garbage = () => {
      const k = Math.floor(rnd() * 5);
      if (k === 0) return Buffer.alloc(0);
      if (k === 1) return bytes(1 + Math.floor(rnd() * 11)); // shorter than a header
      if (k === 2) return bytes(4096); // exactly one slot of the native receive area
      if (k === 3) return bytes(4097 + Math.floor(rnd() * 4000)); // larger than a slot
      const cut = encodeQuery("cut.fuzz.internal", { id: 0 });
      return cut.subarray(0, 2 + Math.floor(rnd() * (cut.length - 3)));
    };
    // Per source: the valid queries it sent (ID -> name), the replies it got.
    const sent = new Map<string, Map<number, string>>();
    const replies = new Map<string, dnsPacket.DecodedPacket[]>();
    let total = 0;
    let fromStrangers = 0;
    const sources = [
      ...Array.from({ length: SOURCES }, (_, i) => `127.0.0.${i + 2}`),
      ...Array.from({ length: STRANGERS }, (_, i) => `127.0.0.${i + 100}`),
    ];
    const port = fwd.address.port;
    const queues = await Promise.all(
      sources.map(async (from) => {
        const s = dgram.createSocket("udp4");
        sockets.push(s);
        await new Promise<void>((r) => s.bind(0, from, r));
        const mine = new Map<number, string>();
        const got: dnsPacket.DecodedPacket[] = [];
        sent.set(from, mine);
        replies.set(from, got);
        s.on("message", (m) => got.push(dnsPacket.decode(m)));
        const out: Buffer[] = [];
        for (let i = 0; i < 60; i++) {
          if (i % 3 !== 0) {
            out.push(garbage());
            continue;
          }
          const id = mine.size + 1;
          const name = i % 2 ? `web.fuzz.internal` : `q${id}.${from.replace(/\./g, "-")}.example`;
          mine.set(id, name);
          out.push(encodeQuery(name, { id }));
        }
        total += out.length;
        if (Number(from.split(".")[3]) >= 100) fromStrangers += out.length;
        return { s, out };
      }),
    );
    // Interleaved, all sources at once, paced so that the kernel's receive buffer never overflows
    // (this process is also the forwarder: it reads between two steps).
    for (let i = 0, n = 0; i < 60; i++)
      for (const { s, out } of queues) {
        s.send(out[i]!, port, "127.0.0.1");
        if (++n % 16 === 0) await new Promise((r) => setImmediate(r));
      }
    assert.ok(
      await eventually(async () => fwd.stats().received >= total),
      `received ${fwd.stats().received} of ${total} datagrams`,
    );
    const want = SOURCES * 20;
    const answered = () => [...replies.values()].reduce((n, r) => n + r.length, 0);
    assert.ok(await eventually(async () => answered() >= want), `${answered()} of ${want} answers`);
    await new Promise((r) => setTimeout(r, 200));

    const st = fwd.stats();
    assert.equal(st.received, total, "every datagram was counted once");
    assert.equal(st.dropped.notAllowed, fromStrangers);
    assert.equal(st.queries, want, "every valid query was served");
    assert.equal(
      st.queries + st.dropped.malformed,
      total - fromStrangers,
      "each one served or dropped as malformed",
    );
    for (const [from, got] of replies) {
      const mine = sent.get(from)!;
      if (Number(from.split(".")[3]) >= 100) {
        assert.equal(got.length, 0, `${from} is not allowed and got answers`);
        continue;
      }
      // Exactly one answer per valid query, each to the client that asked, with its own question.
      assert.equal(got.length, mine.size, `${from}: ${got.length} answers for ${mine.size} queries`);
      for (const p of got) {
        assert.equal(p.questions![0]!.name, mine.get(p.id!), `${from} got an answer to someone else's query`);
        const want = p.questions![0]!.name === "web.fuzz.internal" ? "10.1.1.1" : "192.0.2.9";
        assert.deepEqual(addresses(p), [want]);
      }
      assert.equal(new Set(got.map((p) => p.id)).size, mine.size, `${from}: an answer came twice`);
    }
  });
});
