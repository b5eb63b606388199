import * as assert from "node:assert/strict";
import * as dnsPacket from "dns-packet";
import { adaptUpstreamResponse, fitForUdp, localResponse } from "../../../agent/src/dns/answer";
import { parseQuery, type Query } from "../../../agent/src/dns/query";
import { buildUpstreamQuery, checkReply } from "../../../agent/src/dns/upstreamwire";
import { scanMessage } from "../../../agent/src/dns/wire";

function parse(name: string, edns?: number): Query {
  const r = parseQuery(
    dnsPacket.encode({
      type: "query",
      id: 4242,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type: "A" }],
      additionals: edns ? [{ type: "OPT", name: ".", udpPayloadSize: edns } as dnsPacket.Answer] : [],
    }),
  );
  assert.ok(r.ok);
  return r.query;
}

function upstreamAnswer(name: string, count: number, withOpt: boolean, unknown = false) {
  return dnsPacket.encode({
    type: "response",
    id: 999,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ name, type: "A" }],
    answers: [
      ...Array.from({ length: count }, (_, i) => ({
        type: "A" as const,
        name,
        ttl: 60,
        data: `10.0.${i >> 8}.${i & 255}`,
      })),
      ...(unknown
        ? [
            {
              type: "UNKNOWN_65400",
              name,
              ttl: 5,
              data: Buffer.from("opaque"),
            } as unknown as dnsPacket.Answer,
          ]
        : []),
    ],
    additionals: withOpt ? [{ type: "OPT", name: ".", udpPayloadSize: 1232 } as dnsPacket.Answer] : [],
  });
}

describe("dns answers to clients", () => {
  it("builds local answers that echo the client's question bytes", () => {
    const q = parse("WeB.dev.internal");
    const out = dnsPacket.decode(localResponse(q, 0, [{ type: "A", ttl: 10, address: "192.168.71.10" }]));
    assert.equal(out.id, 4242);
    assert.equal(out.flag_aa, true);
    assert.equal(out.flag_rd, true);
    assert.equal(out.questions![0]!.name, "WeB.dev.internal");
    assert.deepEqual(
      out.answers!.map((a) => [a.name, a.type, "data" in a ? a.data : undefined]),
      [["WeB.dev.internal", "A", "192.168.71.10"]],
    );
  });

  it("re-addresses an upstream answer: client ID, client question case, no OPT for non-EDNS clients", () => {
    const q = parse("Example.COM");
    const up = upstreamAnswer("example.com", 1, true, true);
    const scan = scanMessage(up);
    assert.ok(scan.ok);
    const out = adaptUpstreamResponse(q, up, scan.value);
    const d = dnsPacket.decode(out);
    assert.equal(d.id, 4242);
    assert.equal(d.questions![0]!.name, "Example.COM");
    assert.equal(d.additionals!.length, 0);
    assert.deepEqual(
      d.answers!.map((a) => a.type),
      ["A", "UNKNOWN_65400"],
      "unknown types pass through",
    );
    assert.deepEqual((d.answers![1] as unknown as { data: Buffer }).data, Buffer.from("opaque"));
  });

  it("truncates only beyond the client's advertised size (512 without EDNS)", () => {
    const big = upstreamAnswer("example.com", 60, false);
    assert.ok(big.length > 512 && big.length < 4096);
    const plain = fitForUdp(parse("example.com"), big, 512);
    assert.equal(plain.truncated, true);
    const d = dnsPacket.decode(plain.bytes);
    assert.equal(d.flag_tc, true);
    assert.equal(d.answers!.length, 0);
    assert.equal(d.questions!.length, 1);
    const edns = fitForUdp(parse("example.com", 4096), big, 4096);
    assert.equal(edns.truncated, false);
    assert.equal(edns.bytes, big);
  });

  it("builds upstream queries with EDNS 1232 and accepts only matching replies", () => {
    const name = Buffer.from("\x07example\x03com\x00", "latin1");
    const q = { name, qtype: 1, qclass: 1, dnssecOk: false, checkingDisabled: false };
    const query = dnsPacket.decode(buildUpstreamQuery(77, q));
    assert.equal(query.id, 77);
    assert.equal((query.additionals![0] as dnsPacket.OptAnswer).udpPayloadSize, 1232);
    const reply = (id: number, name: string, type: dnsPacket.RecordType = "A") =>
      dnsPacket.encode({ type: "response", id, questions: [{ name, type }], answers: [] });
    assert.equal(checkReply(reply(77, "EXAMPLE.com"), 77, q).ok, true);
    assert.deepEqual(checkReply(reply(78, "example.com"), 77, q), { ok: false, reason: "id-mismatch" });
    assert.deepEqual(checkReply(reply(77, "example.org"), 77, q), { ok: false, reason: "question-mismatch" });
    assert.deepEqual(checkReply(reply(77, "example.com", "AAAA"), 77, q), {
      ok: false,
      reason: "question-mismatch",
    });
    const notResponse = dnsPacket.encode({
      type: "query",
      id: 77,
      questions: [{ name: "example.com", type: "A" }],
    });
    assert.deepEqual(checkReply(notResponse, 77, q), { ok: false, reason: "not-a-response" });
  });
});
