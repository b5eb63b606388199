import * as assert from "node:assert/strict";
import {
  ERROR_CODES,
  formatIp,
  isErrorCode,
  isHostName,
  isIfName,
  isPrivate,
  isUnicastMac,
  normalizeMac,
  overlaps,
  parseCidr,
  parseIp,
} from "@pulumi-qemu/api/validate";

describe("shared validators (@pulumi-qemu/api/validate)", () => {
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

  it("tells unicast from group MACs", () => {
    assert.ok(isUnicastMac("52:54:00:ab:cd:ef"));
    assert.ok(!isUnicastMac("01:00:5e:00:00:01"));
    assert.ok(!isUnicastMac("33:33:00:00:00:01"));
  });

  it("accepts Linux interface names up to 15 characters, nothing a shell or ip would misread", () => {
    for (const ok of ["eth0", "qvtabcdef120", "br-lan.10", "a".repeat(15)]) assert.ok(isIfName(ok), ok);
    for (const bad of ["", "a".repeat(16), "eth 0", "../x", "eth0:1", "a/b"]) assert.ok(!isIfName(bad), bad);
  });

  it("accepts one-label host names", () => {
    for (const ok of ["web", "Web-1", "a", "x".repeat(63)]) assert.ok(isHostName(ok), ok);
    for (const bad of ["", "-web", "web-", "a.b", "x".repeat(64), "we_b"]) assert.ok(!isHostName(bad), bad);
  });

  it("lists each error code once", () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
    assert.ok(isErrorCode("NET_OVERLAP"));
    assert.ok(!isErrorCode("NET_OVERLAPS"));
  });
});
