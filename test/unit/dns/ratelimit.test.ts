import * as assert from "node:assert/strict";
import { SourceAcl } from "../../../agent/src/dns/acl";
import { parseCidr, type Cidr } from "@pulumi-qemu/api/validate";
import { RateLimiter } from "../../../agent/src/dns/ratelimit";

describe("dns rate limit and allow-list", () => {
  it("allows a burst, then refills at the configured rate, per source", () => {
    const rl = new RateLimiter({ qps: 10, burst: 5 });
    const t0 = 1000;
    for (let i = 0; i < 5; i++) assert.equal(rl.take("a", t0), true);
    assert.equal(rl.take("a", t0), false);
    assert.equal(rl.take("b", t0), true, "another source has its own bucket");
    assert.equal(rl.take("a", t0 + 100), true, "100 ms at 10 qps is one token");
    assert.equal(rl.take("a", t0 + 100), false);
    for (let i = 0; i < 5; i++)
      assert.equal(rl.take("a", t0 + 10_000), true, "refill is capped at the burst");
    assert.equal(rl.take("a", t0 + 10_000), false);
  });

  it("says how long a source over its limit waits for its next token, without taking it", () => {
    const rl = new RateLimiter({ qps: 10, burst: 1 });
    assert.equal(rl.waitMs("a", 0), 0);
    assert.equal(rl.take("a", 0), true);
    assert.equal(rl.waitMs("a", 0), 100);
    assert.equal(rl.waitMs("a", 40), 60);
    assert.equal(rl.take("a", 99), false);
    assert.equal(rl.take("a", 100), true, "waiting took nothing");
  });

  it("keeps its table bounded", () => {
    const rl = new RateLimiter({ qps: 1, burst: 1 }, 100);
    for (let i = 0; i < 1000; i++) rl.take(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.ok(rl.size <= 100);
  });

  it("allows only listed networks, including IPv4-mapped addresses", () => {
    const acl = new SourceAcl([parseCidr("192.168.71.0/24") as Cidr, parseCidr("127.0.0.1/32") as Cidr]);
    assert.equal(acl.allows("192.168.71.77"), true);
    assert.equal(acl.allows("::ffff:192.168.71.77"), true);
    assert.equal(acl.allows("127.0.0.1"), true);
    assert.equal(acl.allows("127.0.0.2"), false);
    assert.equal(acl.allows("8.8.8.8"), false);
    assert.equal(acl.allows("::1"), false);
  });
});
