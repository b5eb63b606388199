// The query we send upstream and the checks a reply must pass (RFC 5452 §9.1): same ID, same
// question (name compared case-insensitively, type, class), and it must be a response. The
// transport checks the source address and port. Pure.
import { randomBytes } from "node:crypto";
import { EDNS_UDP_SIZE } from "./answer";
import { FLAG_CD, FLAG_QR, FLAG_RD, FLAG_TC, OPCODE_MASK } from "./query";
import { HEADER_LEN, TYPE_OPT, nameEqualsLower, scanMessage, type Scan } from "./wire";

export interface UpstreamQuestion {
  /** The name lowercased, in wire form (length-prefixed labels, then 0), without compression. */
  name: Buffer;
  qtype: number;
  qclass: number;
  dnssecOk: boolean;
  checkingDisabled: boolean;
}

let pool = Buffer.alloc(0);
let poolPos = 0;

/** 16 unpredictable bits per query; drawn from a batch to keep the CSPRNG off the hot path. */
export function randomId(): number {
  if (poolPos + 2 > pool.length) {
    pool = randomBytes(4096);
    poolPos = 0;
  }
  const id = pool.readUInt16BE(poolPos);
  poolPos += 2;
  return id;
}

/** A uniform integer in [0, n) for n <= 65536, from the same CSPRNG batch (rejection sampling, no bias). */
export function randomBelow(n: number): number {
  if (n <= 1) return 0;
  const limit = 65536 - (65536 % n);
  let r = randomId();
  // Each draw is rejected with probability < 1/2: 64 rejections in a row do not happen.
  for (let i = 0; i < 64 && r >= limit; i++) r = randomId();
  return r % n;
}

export function buildUpstreamQuery(id: number, q: UpstreamQuestion): Buffer {
  const nameLength = q.name.length;
  // From Node's shared pool (no ArrayBuffer of its own per query); every byte is written below.
  const buf = Buffer.allocUnsafe(HEADER_LEN + nameLength + 4 + 11);
  buf.fill(0, 0, HEADER_LEN);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(FLAG_RD | (q.checkingDisabled ? FLAG_CD : 0), 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(1, 10);
  let pos = HEADER_LEN + q.name.copy(buf, HEADER_LEN);
  buf.writeUInt16BE(q.qtype, pos);
  buf.writeUInt16BE(q.qclass, pos + 2);
  pos += 4;
  buf.fill(0, pos, pos + 11);
  // OPT: root owner, our UDP size in CLASS, DO in the TTL's flag bits.
  buf.writeUInt16BE(TYPE_OPT, pos + 1);
  buf.writeUInt16BE(EDNS_UDP_SIZE, pos + 3);
  if (q.dnssecOk) buf.writeUInt16BE(0x8000, pos + 7);
  return buf;
}

const LENIENT = Object.freeze({ allowTrailing: true });

export type ReplyCheck =
  | { ok: true; scan: Scan; rcode: number; truncated: boolean }
  | { ok: false; reason: "malformed" | "not-a-response" | "id-mismatch" | "question-mismatch" };

export function checkReply(reply: Buffer, id: number, q: UpstreamQuestion): ReplyCheck {
  // Trailing bytes are tolerated from upstreams: some middleboxes pad; the records still parse.
  const scan = scanMessage(reply, LENIENT);
  if (!scan.ok) return { ok: false, reason: "malformed" };
  const h = scan.value.header;
  if (h.id !== id) return { ok: false, reason: "id-mismatch" };
  if (!(h.flags & FLAG_QR) || h.flags & OPCODE_MASK) return { ok: false, reason: "not-a-response" };
  if (h.qd !== 1) return { ok: false, reason: "question-mismatch" };
  // scanMessage accepted the name; compared where it lies, without copying its labels.
  const sameName = nameEqualsLower(reply, HEADER_LEN, q.name);
  const end = scan.value.questionEnd;
  if (!sameName || reply.readUInt16BE(end - 4) !== q.qtype || reply.readUInt16BE(end - 2) !== q.qclass)
    return { ok: false, reason: "question-mismatch" };
  return { ok: true, scan: scan.value, rcode: h.flags & 0x000f, truncated: (h.flags & FLAG_TC) !== 0 };
}
