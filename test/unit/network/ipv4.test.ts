import * as assert from "node:assert/strict";
import { formatIp, isPrivate, normalizeMac, overlaps, parseCidr, parseIp } from "../../../agent/src/net/ipv4";

describe("ipv4", () => {
  it("parses and formats addresses, refusing malformed ones", () => {
    assert.equal(formatIp(parseIp("192.168.71.1")!), "192.168.71.1");
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "a.b.c.d", "1.2.3.4.5", ""])
      assert.equal(parseIp(bad), undefined, bad);
  });

  it("parses CIDRs with reasons for what is wrong", () => {
    assert.deepEqual(parseCidr("10.0.0.0/8"), { network: parseIp("10.0.0.0"), prefix: 8 });
    assert.match(parseCidr("10.0.0.1/24") as string, /host bits set; the network is 10\.0\.0\.0\/24/);
    assert.match(parseCidr("10.0.0.0/33") as string, /longer than 32/);
    assert.match(parseCidr("10.0.0.0") as string, /a\.b\.c\.d\/prefix/);
  });

  it("detects overlap in both directions", () => {
    const a = parseCidr("10.1.0.0/16") as never;
    assert.ok(overlaps(a, parseCidr("10.1.2.0/24") as never));
    assert.ok(overlaps(parseCidr("10.1.2.0/24") as never, a));
    assert.ok(!overlaps(a, parseCidr("10.2.0.0/16") as never));
  });

  it("knows the RFC 1918 ranges", () => {
    assert.ok(isPrivate(parseCidr("172.31.0.0/16") as never));
    assert.ok(!isPrivate(parseCidr("172.32.0.0/16") as never));
    assert.ok(!isPrivate(parseCidr("8.8.8.0/24") as never));
    assert.ok(!isPrivate(parseCidr("10.0.0.0/7") as never));
  });

  it("normalises MACs", () => {
    assert.equal(normalizeMac("52:54:00:AB:CD:EF"), "52:54:00:ab:cd:ef");
    assert.equal(normalizeMac("52-54-00-ab-cd-ef"), undefined);
  });
});
