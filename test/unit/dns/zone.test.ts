import * as assert from "node:assert/strict";
import { parseHostsFile } from "../../../agent/src/dns/hosts";
import { parseReverse, qualify, reverseName } from "../../../agent/src/dns/names";
import { buildTable, lookup } from "../../../agent/src/dns/zone";

const A = 1;
const AAAA = 28;
const PTR = 12;
const SOA = 6;
const MX = 15;
const IN = 1;

const table = buildTable({
  zone: "dev.internal",
  zoneEntries: [
    { name: "web.dev.internal", ip: "192.168.71.10" },
    { name: "web.dev.internal", ip: "192.168.71.11" },
    { name: "db.eu.dev.internal", ip: "192.168.71.20" },
  ],
  hostsFileEntries: parseHostsFile("127.0.0.1 localhost\n10.9.9.9 build.lan build # ci\n::1 ip6-localhost\n"),
  ttl: 10,
  serial: 7,
});
const q = (key: string, qtype: number, qclass = IN) => lookup(table, { key, qtype, qclass });

describe("dns local zone and hosts lookup", () => {
  it("answers A for zone names with every address", () => {
    const r = q("web.dev.internal", A)!;
    assert.equal(r.rcode, 0);
    assert.deepEqual(
      r.answers.map((a) => (a.type === "A" ? a.address : "")),
      ["192.168.71.10", "192.168.71.11"],
    );
  });

  it("answers NODATA (with SOA) for AAAA of a known name and for empty non-terminals", () => {
    for (const [key, type] of [
      ["web.dev.internal", AAAA],
      ["eu.dev.internal", A],
      ["dev.internal", A],
    ] as const) {
      const r = q(key, type)!;
      assert.equal(r.rcode, 0, key);
      assert.equal(r.answers.length, 0);
      assert.equal(r.authority[0]?.type, "SOA");
    }
  });

  it("answers NXDOMAIN for unknown names inside the zone instead of forwarding", () => {
    const r = q("nope.dev.internal", A)!;
    assert.equal(r.rcode, 3);
    assert.equal(r.authority[0]?.type, "SOA");
    assert.equal(q("x.web.dev.internal", A)?.rcode, 3);
  });

  it("answers SOA at the apex", () => {
    const r = q("dev.internal", SOA)!;
    assert.equal(r.answers[0]?.type, "SOA");
  });

  it("answers PTR for zone and hosts-file addresses, forwards other reverse names", () => {
    const r = q(reverseName("192.168.71.10"), PTR)!;
    assert.deepEqual(r.answers, [{ type: "PTR", ttl: 10, target: "web.dev.internal" }]);
    const h = q("9.9.9.10.in-addr.arpa", PTR)!;
    assert.deepEqual(
      h.answers.map((a) => (a.type === "PTR" ? a.target : "")),
      ["build.lan", "build"],
    );
    assert.equal(q(reverseName("192.168.71.99"), PTR), undefined);
  });

  it("answers A from the hosts file, NODATA for its AAAA, and forwards everything else", () => {
    assert.equal(q("build.lan", A)?.answers.length, 1);
    assert.equal(q("build.lan", AAAA)?.answers.length, 0);
    assert.equal(q("build.lan", MX), undefined);
    assert.equal(q("example.com", A), undefined);
    assert.equal(q("ip6-localhost", A), undefined);
  });

  it("refuses other classes inside the zone and forwards them elsewhere", () => {
    assert.equal(q("web.dev.internal", A, 3)?.rcode, 5);
    assert.equal(q("version.bind", 16, 3), undefined);
  });

  it("qualifies names into the zone and refuses names outside it", () => {
    assert.equal(qualify("web", "dev.internal"), "web.dev.internal");
    assert.equal(qualify("Web.Dev.Internal.", "dev.internal"), "web.dev.internal");
    assert.equal(qualify("@", "dev.internal"), "dev.internal");
    assert.deepEqual(
      (qualify("web.example.com", "dev.internal") as { code: string }).code,
      "DNS_RECORD_OUTSIDE_ZONE",
    );
    assert.deepEqual((qualify("bad name", "dev.internal") as { code: string }).code, "DNS_BAD_RECORD");
  });

  it("parses reverse names strictly", () => {
    assert.equal(parseReverse("10.71.168.192.in-addr.arpa"), "192.168.71.10");
    assert.equal(parseReverse("71.168.192.in-addr.arpa"), undefined);
    assert.equal(parseReverse("300.71.168.192.in-addr.arpa"), undefined);
  });
});
