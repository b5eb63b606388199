import * as assert from "node:assert/strict";
import * as dnsPacket from "dns-packet";
import { TYPE_AXFR, TYPE_IXFR, parseQuery } from "../../../agent/src/dns/query";
import { checkReply } from "../../../agent/src/dns/upstreamwire";
import {
  labelsToName,
  lowerAscii,
  nameEqualsLower,
  nameError,
  readName,
  skipName,
  wireLabels,
} from "../../../agent/src/dns/wire";

const HEADER = Buffer.alloc(12);
const wire = (...bytes: number[]) => Buffer.concat([HEADER, Buffer.from(bytes)]);
const labelBytes = (...labels: string[]) =>
  labels.flatMap((l) => [l.length, ...Buffer.from(l, "latin1")]).concat([0]);

describe("dns wire: the allocation-free name walks", () => {
  it("skipName ends past the name or fails with the code readName reports", () => {
    const cases: [Buffer, number, number | string][] = [
      [wire(...labelBytes("www", "Example", "com")), 12, 29],
      [wire(0), 12, 13],
      // "a.b", then "c" + a pointer back to "b": compression in a later name.
      [wire(...labelBytes("a", "b"), 1, 0x63, 0xc0, 14), 17, 21],
      [wire(0xc0, 12), 12, "FORWARD_POINTER"],
      [wire(0xc0, 5), 12, "POINTER_INTO_HEADER"],
      [wire(1, 0x61, 0xc0, 20), 12, "FORWARD_POINTER"],
      [wire(1, 0x61, 0xc0, 12), 12, "POINTER_LOOP"],
      [wire(0x41, 0), 12, "BAD_LABEL_TYPE"],
      [wire(5, 0x61), 12, "NAME_OUT_OF_BOUNDS"],
      [wire(0xc0), 12, "NAME_OUT_OF_BOUNDS"],
      // 64 and up have the top bits 01: an (obsolete) label type, not a long label.
      [wire(64, ...Buffer.alloc(64, 0x61), 0), 12, "BAD_LABEL_TYPE"],
      [
        wire(...Array.from({ length: 5 }, () => [63, ...Buffer.alloc(63, 0x61)]).flat(), 0),
        12,
        "NAME_TOO_LONG",
      ],
    ];
    for (const [i, [buf, at, expected]] of cases.entries()) {
      const end = skipName(buf, at);
      assert.equal(end < 0 ? nameError(end) : end, expected, `case ${i}`);
      const r = readName(buf, at);
      assert.equal(r.ok ? r.value.end : r.code, expected, `case ${i}`);
    }
  });

  it("nameEqualsLower compares ASCII case-insensitively, through pointers, and nothing else", () => {
    const lower = (...l: string[]) => Buffer.from(labelBytes(...l));
    const buf = wire(...labelBytes("WwW", "Example", "com"), 1, 0x61, 0xc0, 16);
    assert.equal(nameEqualsLower(buf, 12, lower("www", "example", "com")), true);
    assert.equal(nameEqualsLower(buf, 12, lower("www", "example", "org")), false);
    assert.equal(nameEqualsLower(buf, 12, lower("www", "example")), false);
    assert.equal(nameEqualsLower(buf, 12, lower("www", "example", "com", "x")), false);
    assert.equal(nameEqualsLower(buf, 12, lower("www", "exampl", "com")), false);
    // "a" + pointer to "example.com"
    assert.equal(nameEqualsLower(buf, 29, lower("a", "example", "com")), true);
    assert.equal(nameEqualsLower(buf, 29, lower("a", "www", "example", "com")), false);
    // Only ASCII letters fold: 0xC4 and 0xE4 differ.
    const latin = wire(1, 0xc4, 0);
    assert.equal(nameEqualsLower(latin, 12, Buffer.from([1, 0xe4, 0])), false);
    assert.equal(nameEqualsLower(latin, 12, Buffer.from([1, 0xc4, 0])), true);
    // A forward pointer (never accepted by skipName) ends the walk instead of looping.
    assert.equal(nameEqualsLower(wire(0xc0, 12), 12, lower("a")), false);
  });

  it("parseQuery's names match the per-label presentation form, escapes included", () => {
    const names: Buffer[][] = [
      ["WWW", "Example", "COM"].map((l) => Buffer.from(l)),
      [Buffer.from("a.b"), Buffer.from("C\\D")],
      [Buffer.from([0x20, 0x41]), Buffer.from([0x80, 0xff, 0x5a])],
      [Buffer.from("x")],
    ];
    for (const labels of names) {
      const packet = Buffer.concat([
        Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
        ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), l])),
        Buffer.from([0, 0, 1, 0, 1]),
      ]);
      const r = parseQuery(packet);
      assert.ok(r.ok, labelsToName(labels));
      const lower = labels.map(lowerAscii);
      assert.equal(r.query.name, labelsToName(labels));
      assert.equal(r.query.key, labelsToName(lower));
      assert.deepEqual(wireLabels(r.query.lowerName), lower);
      assert.deepEqual(
        r.query.lowerName,
        Buffer.concat([...lower.map((l) => Buffer.concat([Buffer.from([l.length]), l])), Buffer.from([0])]),
      );
    }
    const root = parseQuery(Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]));
    assert.ok(root.ok);
    assert.equal(root.query.name, ".");
    assert.equal(root.query.key, "");
    assert.deepEqual(root.query.lowerName, Buffer.from([0]));
  });

  it("checkReply accepts the question in another case and rejects any other name", () => {
    const q = {
      name: Buffer.from(labelBytes("www", "example", "com")),
      qtype: 1,
      qclass: 1,
      dnssecOk: false,
      checkingDisabled: false,
    };
    const reply = (name: string, id = 42) =>
      dnsPacket.encode({
        type: "response",
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name, type: "A" }],
        answers: [{ name, type: "A", data: "192.0.2.1" }],
      });
    const ok = checkReply(reply("WWW.Example.com"), 42, q);
    assert.ok(ok.ok);
    assert.equal(ok.scan.header.an, 1);
    assert.deepEqual(checkReply(reply("www.example.org"), 42, q), { ok: false, reason: "question-mismatch" });
    assert.deepEqual(checkReply(reply("example.com"), 42, q), { ok: false, reason: "question-mismatch" });
    assert.deepEqual(checkReply(reply("www.example.com", 43), 42, q), { ok: false, reason: "id-mismatch" });
  });

  it("a bare question the parser accepts without the library decoder is one the decoder accepts", () => {
    // Seeded, so a failure reproduces.
    let seed = 13;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const labels = Array.from({ length: rnd(5) }, () =>
        Buffer.from(Array.from({ length: 1 + rnd(20) }, () => rnd(256))),
      );
      const opt = rnd(2) === 1;
      const bytes = [
        ...[rnd(256), rnd(256), rnd(2), 0, 0, 1, 0, 0, 0, 0, 0, opt ? 1 : 0],
        ...labels.flatMap((l) => [l.length, ...l]),
        0,
        ...[0, rnd(3) === 0 ? rnd(256) : 1, 0, 1],
        ...(opt ? [0, 0, 41, rnd(256), rnd(256), 0, 0, rnd(256), 0, 0, 0] : []),
      ];
      // Now and then a byte flipped anywhere: the parser must reject it or the decoder accept it.
      if (rnd(4) === 0) bytes[rnd(bytes.length)] = rnd(256);
      const packet = Buffer.from(bytes);
      const r = parseQuery(packet);
      if (!r.ok || r.query.qtype === TYPE_AXFR || r.query.qtype === TYPE_IXFR) continue;
      accepted++;
      assert.doesNotThrow(() => dnsPacket.decode(packet), packet.toString("hex"));
    }
    assert.ok(accepted > 1000, `only ${accepted} accepted`);
  });
});
