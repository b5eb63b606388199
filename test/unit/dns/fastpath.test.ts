// The hot-path shortcuts must give exactly what the plain code gives: cached query parsing,
// pre-encoded local answers, the deadline queue, uniform random choice.
import * as assert from "node:assert/strict";
import * as dnsPacket from "dns-packet";
import { encodeLocal, localResponse, localResponseFrom } from "../../../agent/src/dns/answer";
import { DeadlineQueue } from "../../../agent/src/dns/deadlines";
import { parseQuery, parseQueryCached } from "../../../agent/src/dns/query";
import { randomBelow } from "../../../agent/src/dns/upstreamwire";
import { buildTable, lookup } from "../../../agent/src/dns/zone";

const query = (name: string, id: number, edns?: { size: number; dnssecOk?: boolean }) =>
  dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: "A" }],
    additionals: edns
      ? [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: edns.size,
            flags: edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
          } as dnsPacket.Answer,
        ]
      : [],
  });

describe("dns hot path", () => {
  it("a cached parse equals a fresh parse, with the packet's own ID", () => {
    for (let i = 0; i < 3; i++) {
      for (const [name, edns] of [
        ["WeB.Example", undefined],
        ["web.example", { size: 1232, dnssecOk: true }],
      ] as const) {
        const buf = query(name, 1000 + i, edns);
        const fresh = parseQuery(buf);
        const cached = parseQueryCached(buf);
        assert.ok(fresh.ok && cached.ok);
        const { memo, ...rest } = cached.query;
        // Remembered from the second sighting on: one-off names must not become long-lived.
        assert.equal(memo !== undefined, i > 0);
        assert.deepEqual(rest, fresh.query);
        assert.equal(cached.query.id, 1000 + i);
      }
    }
  });

  it("never caches a rejection nor lets one packet's case leak into another's answer", () => {
    const bad = Buffer.concat([query("example.com", 1), Buffer.from([0])]);
    assert.equal(parseQueryCached(bad).ok, false);
    assert.equal(parseQueryCached(bad).ok, false);
    const a = parseQueryCached(query("CASE.example", 1));
    const b = parseQueryCached(query("case.example", 2));
    assert.ok(a.ok && b.ok);
    assert.equal(a.query.name, "CASE.example");
    assert.equal(b.query.name, "case.example");
    assert.equal(a.query.key, b.query.key);
  });

  it("pre-encoded local answers are byte for byte the plain ones", () => {
    const table = buildTable({
      zone: "dev.internal",
      zoneEntries: [
        { name: "web.dev.internal", ip: "10.0.0.1" },
        { name: "web.dev.internal", ip: "10.0.0.2" },
      ],
      hostsFileEntries: [],
      ttl: 10,
      serial: 7,
    });
    for (const name of ["Web.dev.internal", "missing.dev.internal", "dev.internal"])
      for (const edns of [undefined, { size: 1232 }, { size: 4096, dnssecOk: true }]) {
        const r = parseQuery(query(name, 4242, edns));
        assert.ok(r.ok);
        const l = lookup(table, r.query)!;
        assert.deepEqual(
          localResponseFrom(r.query, encodeLocal(l.rcode, l.answers, l.authority)),
          localResponse(r.query, l.rcode, l.answers, l.authority),
        );
      }
  });

  it("fires each deadline once, in order, never a cancelled one", async () => {
    const q = new DeadlineQueue();
    const fired: number[] = [];
    const ds = Array.from({ length: 20 }, (_, i) => q.add(i % 2 ? 5 : 15, () => fired.push(i)));
    for (let i = 0; i < 20; i += 4) q.cancel(ds[i]!);
    q.cancel(ds[0]!);
    assert.equal(q.pending, 15);
    for (let i = 0; i < 100 && fired.length < 15; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(fired.length, 15);
    assert.ok(fired.every((i) => i % 4 !== 0));
    // The 5 ms ones (odd) before the 15 ms ones (even), each group in insertion order.
    const odd = fired.filter((i) => i % 2 === 1);
    assert.deepEqual(fired.slice(0, odd.length), odd);
    assert.deepEqual(
      odd,
      [...odd].sort((x, y) => x - y),
    );
    assert.equal(q.pending, 0);
    q.close();
  });

  it("fires what a late timer finds due in deadline order, across durations", async () => {
    let clock = 0;
    const q = new DeadlineQueue(() => clock);
    const fired: string[] = [];
    q.add(15, () => fired.push("15 ms, added first"));
    q.add(5, () => fired.push("5 ms"));
    clock = 100; // the loop was busy: both are past due when the timer runs
    for (let i = 0; i < 100 && fired.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(fired, ["5 ms", "15 ms, added first"]);
    q.close();
  });

  it("randomBelow is uniform enough and in range", () => {
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[randomBelow(6)]!++;
    for (const c of counts) assert.ok(c > 800 && c < 1200, counts.join());
    assert.equal(randomBelow(1), 0);
  });
});
