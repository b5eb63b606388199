import * as assert from "node:assert/strict";
import * as dnsPacket from "dns-packet";
import { readName, scanMessage } from "../../../agent/src/dns/wire";
import { parseQuery } from "../../../agent/src/dns/query";

const header = (qd: number, an = 0, ns = 0, ar = 0, flags = 0x0100) => {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
};
const typeClass = Buffer.from([0, 1, 0, 1]);
const query = (name = "example.com", type: dnsPacket.RecordType = "A") =>
  dnsPacket.encode({ type: "query", id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] });

describe("dns wire pre-validation", () => {
  it("accepts a well-formed query and reads its question", () => {
    const r = parseQuery(query("Example.COM"));
    assert.ok(r.ok);
    assert.equal(r.query.name, "Example.COM");
    assert.equal(r.query.key, "example.com");
    assert.equal(r.query.qtype, 1);
    assert.equal(r.query.edns, undefined);
  });

  it("reads the EDNS buffer size and DO bit", () => {
    const buf = dnsPacket.encode({
      type: "query",
      id: 1,
      questions: [{ name: "a.b", type: "A" }],
      additionals: [
        { type: "OPT", name: ".", udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer,
      ],
    });
    const r = parseQuery(buf);
    assert.ok(r.ok);
    assert.deepEqual(r.query.edns, { udpSize: 4096, dnssecOk: true });
  });

  it("rejects header counts that cannot fit in the data", () => {
    const buf = Buffer.concat([header(1, 65535), Buffer.from([0]), typeClass]);
    assert.deepEqual(scanMessage(buf), { ok: false, code: "COUNTS_EXCEED_DATA" });
    assert.deepEqual(scanMessage(Buffer.alloc(11)), { ok: false, code: "SHORT_HEADER" });
  });

  it("rejects a record whose rdata runs past the end", () => {
    const rr = Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 1, 2]);
    const buf = Buffer.concat([header(1, 1), Buffer.from([0]), typeClass, rr]);
    assert.deepEqual(scanMessage(buf), { ok: false, code: "RECORD_OUT_OF_BOUNDS" });
  });

  it("rejects labels over 63 bytes and names over 255", () => {
    const long = Buffer.concat([Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0])]);
    assert.deepEqual(readName(Buffer.concat([header(1), long]), 12), { ok: false, code: "BAD_LABEL_TYPE" });
    const label63 = Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)]);
    const tooLong = Buffer.concat([header(1), label63, label63, label63, label63, Buffer.from([0])]);
    assert.deepEqual(readName(tooLong, 12), { ok: false, code: "NAME_TOO_LONG" });
    const fits = Buffer.concat([
      header(1),
      label63,
      label63,
      label63,
      Buffer.from([61]),
      Buffer.alloc(61, 0x62),
      Buffer.from([0]),
    ]);
    const r = readName(fits, 12);
    assert.ok(r.ok);
    assert.equal(r.value.wireLength, 255);
  });

  it("rejects the reserved label types 0x40 and 0x80", () => {
    assert.deepEqual(readName(Buffer.concat([header(1), Buffer.from([0x41, 0])]), 12), {
      ok: false,
      code: "BAD_LABEL_TYPE",
    });
    assert.deepEqual(readName(Buffer.concat([header(1), Buffer.from([0x80, 0])]), 12), {
      ok: false,
      code: "BAD_LABEL_TYPE",
    });
  });

  it("rejects a pointer to itself, forward pointers, pointer loops and pointers into the header", () => {
    const self = Buffer.concat([header(1), Buffer.from([0xc0, 12]), typeClass]);
    assert.deepEqual(readName(self, 12), { ok: false, code: "FORWARD_POINTER" });
    const forward = Buffer.concat([header(1), Buffer.from([0xc0, 14, 0]), typeClass]);
    assert.deepEqual(readName(forward, 12), { ok: false, code: "FORWARD_POINTER" });
    // Name at 12: "a" then a pointer back to 12 (the name's own start): a loop.
    const loop = Buffer.concat([header(1), Buffer.from([1, 0x61, 0xc0, 12]), typeClass]);
    assert.deepEqual(readName(loop, 12), { ok: false, code: "POINTER_LOOP" });
    // Two names pointing at each other: the second is reached through the first.
    const mutual = Buffer.concat([
      header(2),
      Buffer.from([1, 0x61, 0xc0, 20]),
      typeClass,
      Buffer.from([0xc0, 12]),
    ]);
    assert.equal(readName(mutual, 20).ok, false);
    assert.equal(readName(mutual, 12).ok, false);
    const intoHeader = Buffer.concat([header(1), Buffer.from([0xc0, 2]), typeClass]);
    assert.deepEqual(readName(intoHeader, 12), { ok: false, code: "POINTER_INTO_HEADER" });
    assert.deepEqual(readName(Buffer.concat([header(1), Buffer.from([0xc0])]), 12), {
      ok: false,
      code: "NAME_OUT_OF_BOUNDS",
    });
  });

  it("follows legitimate backward compression pointers", () => {
    const resp = dnsPacket.encode({
      type: "response",
      id: 1,
      questions: [{ name: "www.example.com", type: "A" }],
      answers: [
        { type: "CNAME", name: "www.example.com", data: "web.example.com" },
        { type: "A", name: "web.example.com", data: "192.0.2.1" },
      ],
    });
    const r = scanMessage(resp);
    assert.ok(r.ok);
    assert.equal(r.value.records.length, 2);
  });

  it("rejects trailing garbage in queries", () => {
    assert.deepEqual(parseQuery(Buffer.concat([query(), Buffer.from([0])])), {
      ok: false,
      code: "TRAILING_DATA",
    });
  });

  it("drops responses, other opcodes, several questions and zone transfers", () => {
    const resp = query();
    resp.writeUInt16BE(0x8100, 2);
    assert.deepEqual(parseQuery(resp), { ok: false, code: "NOT_A_QUERY" });
    const notify = query();
    notify.writeUInt16BE(4 << 11, 2);
    assert.deepEqual(parseQuery(notify), { ok: false, code: "BAD_OPCODE" });
    const two = dnsPacket.encode({
      type: "query",
      id: 1,
      questions: [
        { name: "a", type: "A" },
        { name: "b", type: "A" },
      ],
    });
    assert.deepEqual(parseQuery(two), { ok: false, code: "QUESTION_COUNT" });
    assert.deepEqual(parseQuery(query("example.com", "AXFR")), { ok: false, code: "UNSUPPORTED_TYPE" });
  });

  it("never throws on random or mutated input", () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const valid = query("host.example.com", "AAAA");
    for (let i = 0; i < 20000; i++) {
      const buf =
        i % 2 === 0
          ? Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256)))
          : Buffer.from(valid).map((b) => (rnd() < 0.1 ? Math.floor(rnd() * 256) : b));
      parseQuery(Buffer.from(buf));
      scanMessage(Buffer.from(buf), { allowTrailing: true });
    }
  });
});
