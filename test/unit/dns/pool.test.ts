// The upstream socket pool (RFC 5452): one query per socket at a time, unpredictable choice,
// rotation to fresh ports. Real sockets on loopback, no traffic needed for most checks.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import { UdpPool, type PooledSocket } from "../../../agent/src/dns/pool";
import { randomBelow } from "../../../agent/src/dns/upstreamwire";

const SERVER = { address: "127.0.0.1", port: 9, family: 4 as const };
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("dns upstream socket pool", () => {
  const pools: UdpPool[] = [];
  const pool = (idle: number, maxUses: number, maxSockets = 1000) => {
    const p = new UdpPool(SERVER, { idle, maxUses, maxSockets });
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of pools.splice(0)) p.close();
    await settle();
  });

  it("never hands out a socket that has a query in flight", () => {
    const p = pool(8, 1000);
    const busy = new Set<PooledSocket>();
    for (let round = 0; round < 2000; round++) {
      // Random mix of acquiring and releasing, up to 40 in flight (beyond the idle target).
      if (busy.size < 40 && (busy.size === 0 || randomBelow(2) === 0)) {
        const ps = p.acquire();
        assert.ok(!busy.has(ps), "a socket with a query in flight was handed out again");
        assert.equal(ps.busy, true);
        busy.add(ps);
      } else {
        const ps = [...busy][randomBelow(busy.size)]!;
        busy.delete(ps);
        p.release(ps, randomBelow(10) !== 0);
      }
    }
    for (const ps of busy) p.release(ps, true);
  });

  it("does not pick the socket just released, and picks unpredictably among the idle ones", () => {
    const p = pool(16, 1000);
    let last: PooledSocket | undefined;
    const firstPicks = new Map<PooledSocket, number>();
    for (let i = 0; i < 400; i++) {
      const ps = p.acquire();
      assert.notEqual(ps, last, "the socket just released was picked again at once");
      firstPicks.set(ps, (firstPicks.get(ps) ?? 0) + 1);
      p.release(ps, true);
      last = ps;
    }
    // A round-robin or LIFO choice would use 1 or exactly 16 sockets in lockstep; a random choice
    // among the longest-idle half spreads over many sockets with uneven counts.
    assert.ok(firstPicks.size >= 12, `only ${firstPicks.size} sockets used`);
    assert.ok(new Set(firstPicks.values()).size > 1, "sockets were used in a fixed rotation");
  });

  it("retires sockets after a bounded random number of uses, after timeouts, and replaces them", async () => {
    const p = pool(4, 3);
    const seen = new Set<PooledSocket>();
    for (let i = 0; i < 60; i++) {
      const ps = p.acquire();
      assert.ok(ps.uses <= 3, "a socket carried more queries than maxUses");
      seen.add(ps);
      p.release(ps, true);
    }
    // 60 queries, at most 3 each: at least 20 distinct sockets (fresh random ports) were used.
    assert.ok(seen.size >= 20, `only ${seen.size} sockets for 60 queries`);
    const t = p.acquire();
    p.release(t, false);
    assert.equal(t.dead, true, "a socket whose query timed out is not reused");
    assert.ok(p.idle >= 4, "the pool keeps its idle target after retiring");
    assert.ok(p.size <= 4 + 1);
  });

  it("binds every socket to its own kernel-chosen port and talks to the server only", async () => {
    const server = dgram.createSocket("udp4");
    await new Promise<void>((r) => server.bind(0, "127.0.0.1", r));
    const got: number[] = [];
    server.on("message", (_m, rinfo) => got.push(rinfo.port));
    try {
      const p = new UdpPool(
        { address: "127.0.0.1", port: server.address().port, family: 4 },
        {
          idle: 8,
          maxUses: 1000,
          maxSockets: 100,
        },
      );
      pools.push(p);
      const held = Array.from({ length: 8 }, () => p.acquire());
      for (const ps of held) ps.send(Buffer.from("x"));
      for (let i = 0; i < 50 && got.length < 8; i++) await settle();
      assert.equal(got.length, 8);
      assert.equal(new Set(got).size, 8, "two queries in flight shared a source port");
      for (const ps of held) assert.ok(got.includes(ps.port));
      for (const ps of held) p.release(ps, true);
    } finally {
      server.close();
    }
  });

  it("closes everything, including sockets released after close", () => {
    const p = pool(4, 10);
    const ps = p.acquire();
    p.close();
    assert.equal(p.idle, 0);
    p.release(ps, true);
    assert.equal(ps.dead, true);
    assert.equal(p.size, 0);
  });
});
