import * as assert from "node:assert/strict";
import {
  resolveForwarderOptions,
  resolveHosts,
  validateForwarderOptions,
} from "../../../agent/src/dns/options";

const base = {
  listen: { address: "192.168.71.1", port: 53 },
  upstreams: { kind: "static" as const, servers: ["1.2.3.4", "127.0.0.1:5353"] },
  allowedSources: ["192.168.71.0/24"],
};
const codes = (opts: unknown) => validateForwarderOptions(opts).map((v) => `${v.property} ${v.code}`);

describe("dns forwarder options", () => {
  it("accepts a minimal configuration and applies defaults", () => {
    const r = resolveForwarderOptions(base);
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.options!.rateLimit, { qps: 200, burst: 400 });
    assert.deepEqual(
      r.options!.upstreams.kind === "static" && r.options!.upstreams.servers.map((s) => s.key),
      ["1.2.3.4:53", "127.0.0.1:5353"],
    );
  });

  it("DNS_BAD_UPSTREAM for a server that is not address[:port], or is the forwarder itself", () => {
    assert.deepEqual(codes({ ...base, upstreams: { kind: "static", servers: ["8.8.8.8", "dns.google"] } }), [
      "upstreams.servers[1] DNS_BAD_UPSTREAM",
    ]);
    assert.deepEqual(codes({ ...base, upstreams: { kind: "static", servers: ["192.168.71.1:53"] } }), [
      "upstreams.servers[0] DNS_BAD_UPSTREAM",
    ]);
    assert.deepEqual(codes({ ...base, upstreams: { kind: "static", servers: [] } }), [
      "upstreams.servers DNS_BAD_UPSTREAM",
    ]);
    assert.deepEqual(codes({ ...base, upstreams: { kind: "dnssec" } }), ["upstreams.kind DNS_BAD_UPSTREAM"]);
  });

  it("DNS_BAD_PATH for a relative resolv.conf or hosts path", () => {
    assert.deepEqual(codes({ ...base, upstreams: { kind: "resolvConf", path: "resolv.conf" } }), [
      "upstreams.path DNS_BAD_PATH",
    ]);
    assert.deepEqual(codes({ ...base, hostsFile: "etc/hosts" }), ["hostsFile DNS_BAD_PATH"]);
    assert.deepEqual(codes({ ...base, upstreams: { kind: "resolvConf", path: "/etc/resolv.conf" } }), []);
  });

  it("DNS_BAD_ZONE for a zone that is not a domain name", () => {
    for (const zone of ["dev internal", "-dev.internal", "a..b", "x".repeat(64) + ".internal", ""])
      assert.deepEqual(codes({ ...base, zone }), ["zone DNS_BAD_ZONE"], zone);
    assert.deepEqual(codes({ ...base, zone: "Dev.Internal." }), []);
  });

  it("DNS_RECORD_OUTSIDE_ZONE for records outside the zone or without a zone", () => {
    assert.deepEqual(
      codes({
        ...base,
        zone: "dev.internal",
        records: { "db.example.com": ["10.0.0.1"], db: ["192.168.71.5"] },
      }),
      ["records.db.example.com DNS_RECORD_OUTSIDE_ZONE"],
    );
    assert.deepEqual(codes({ ...base, records: { db: ["10.0.0.1"] } }), [
      "records.db DNS_RECORD_OUTSIDE_ZONE",
    ]);
    const ok = resolveForwarderOptions({
      ...base,
      zone: "dev.internal",
      records: { "DB.dev.internal.": ["10.0.0.1"] },
    });
    assert.deepEqual(ok.options?.records, [{ name: "db.dev.internal", ip: "10.0.0.1" }]);
  });

  it("DNS_BAD_RECORD for a record address that is not IPv4", () => {
    assert.deepEqual(codes({ ...base, zone: "dev.internal", records: { db: ["10.0.0.1", "fe80::1"] } }), [
      "records.db[1] DNS_BAD_RECORD",
    ]);
  });

  it("DNS_BAD_SOURCE / DNS_NO_ALLOWED_SOURCES: never an open resolver by accident", () => {
    assert.deepEqual(codes({ ...base, allowedSources: ["192.168.71.1/24"] }), [
      "allowedSources[0] DNS_BAD_SOURCE",
    ]);
    assert.deepEqual(codes({ ...base, allowedSources: [] }), ["allowedSources DNS_NO_ALLOWED_SOURCES"]);
    assert.deepEqual(codes({ ...base, allowedSources: undefined }), ["allowedSources DNS_BAD_SOURCE"]);
    assert.deepEqual(codes({ ...base, allowedSources: ["127.0.0.1"] }), []);
  });

  it("DNS_BAD_LISTEN and DNS_BAD_RATE_LIMIT and DNS_BAD_TIMEOUT", () => {
    assert.deepEqual(codes({ ...base, listen: { address: "localhost", port: 53 } }), [
      "listen.address DNS_BAD_LISTEN",
    ]);
    assert.deepEqual(codes({ ...base, listen: { address: "127.0.0.1", port: 70000 } }), [
      "listen.port DNS_BAD_LISTEN",
    ]);
    assert.deepEqual(codes({ ...base, rateLimit: { qps: 0, burst: 10 } }), [
      "rateLimit.qps DNS_BAD_RATE_LIMIT",
    ]);
    assert.deepEqual(codes({ ...base, rateLimit: false }), []);
    assert.deepEqual(codes({ ...base, upstreamTimeoutMs: 1 }), ["upstreamTimeoutMs DNS_BAD_TIMEOUT"]);
  });

  it("reports several violations at once", () => {
    assert.equal(validateForwarderOptions({ ...base, zone: "bad zone", allowedSources: ["x"] }).length, 2);
    assert.ok(validateForwarderOptions(undefined).length > 0);
  });

  it("validates the agent's host table against the zone", () => {
    const r = resolveHosts(
      [
        { name: "web", ip: "192.168.71.10" },
        { name: "web.other.org", ip: "192.168.71.11" },
        { name: "db", ip: "not-ip" },
      ],
      "dev.internal",
    );
    assert.deepEqual(r.entries, [{ name: "web.dev.internal", ip: "192.168.71.10" }]);
    assert.deepEqual(
      r.violations.map((v) => `${v.property} ${v.code}`),
      ["hosts[1] DNS_RECORD_OUTSIDE_ZONE", "hosts[2] DNS_BAD_HOST"],
    );
    assert.equal(
      resolveHosts([{ name: "web", ip: "10.0.0.1" }], undefined).violations[0]?.code,
      "DNS_RECORD_OUTSIDE_ZONE",
    );
  });
});
