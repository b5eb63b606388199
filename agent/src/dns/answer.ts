// Builds the bytes we send to clients. Local answers are written by hand so the question goes back
// byte for byte as the client sent it (case included, RFC 5452 §9.1 0x20 users check it); upstream
// answers are passed through untouched apart from the header, so record types we do not know
// survive (RFC 3597). Pure.
import {
  type Query,
  FLAG_AA,
  FLAG_CD,
  FLAG_QR,
  FLAG_RA,
  FLAG_RD,
  FLAG_TC,
  TYPE_A,
  TYPE_PTR,
  TYPE_SOA,
} from "./query";
import { HEADER_LEN, TYPE_OPT, type Scan } from "./wire";

export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

/** What we advertise to clients and upstreams (DNS flag day 2020). */
export const EDNS_UDP_SIZE = 1232;

export type LocalRecord =
  | { type: "A"; name?: string; ttl: number; address: string }
  | { type: "PTR"; name?: string; ttl: number; target: string }
  | { type: "SOA"; name: string; ttl: number; mname: string; rname: string; serial: number; minimum: number };

/** Encodes a validated LDH name (no escapes): ours only, never a name taken from a packet. */
export function encodeName(name: string): Buffer {
  const labels = name.split(".").filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, "ascii"));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

function optRecord(q: Query): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt16BE(TYPE_OPT, 1);
  b.writeUInt16BE(EDNS_UDP_SIZE, 3);
  // RFC 3225: the DO bit is echoed.
  if (q.edns?.dnssecOk) b.writeUInt16BE(0x8000, 7);
  return b;
}

// 0xc00c points at the question name, which always sits right after the header.
const QUESTION_POINTER = Buffer.from([0xc0, 0x0c]);

function record(r: LocalRecord): Buffer {
  const owner = r.name === undefined ? QUESTION_POINTER : encodeName(r.name);
  let rdata: Buffer;
  let type: number;
  switch (r.type) {
    case "A":
      type = TYPE_A;
      rdata = Buffer.from(r.address.split(".").map(Number));
      break;
    case "PTR":
      type = TYPE_PTR;
      rdata = encodeName(r.target);
      break;
    case "SOA": {
      type = TYPE_SOA;
      const counters = Buffer.alloc(20);
      counters.writeUInt32BE(r.serial >>> 0, 0);
      counters.writeUInt32BE(3600, 4);
      counters.writeUInt32BE(600, 8);
      counters.writeUInt32BE(86400, 12);
      counters.writeUInt32BE(r.minimum, 16);
      rdata = Buffer.concat([encodeName(r.mname), encodeName(r.rname), counters]);
      break;
    }
  }
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

const responseFlags = (q: Query, rcode: number, extra: number) =>
  FLAG_QR | extra | (q.flags & (FLAG_RD | FLAG_CD)) | FLAG_RA | rcode;

/** An authoritative answer from our own data (zone, hosts file). */
export function localResponse(
  q: Query,
  rcode: number,
  answers: LocalRecord[],
  authority: LocalRecord[] = [],
) {
  const ar = q.edns ? 1 : 0;
  return Buffer.concat([
    header(q.id, responseFlags(q, rcode, FLAG_AA), 1, answers.length, authority.length, ar),
    q.question,
    ...answers.map(record),
    ...authority.map(record),
    ...(q.edns ? [optRecord(q)] : []),
  ]);
}

/** A local answer encoded once: everything after the question, with its counts. */
export interface EncodedLocal {
  rcode: number;
  an: number;
  ns: number;
  /** Answer and authority records; owners point at the question (0xc00c) or are written out. */
  body: Buffer;
}

export function encodeLocal(
  rcode: number,
  answers: LocalRecord[],
  authority: LocalRecord[] = [],
): EncodedLocal {
  return {
    rcode,
    an: answers.length,
    ns: authority.length,
    body: Buffer.concat([...answers.map(record), ...authority.map(record)]),
  };
}

/** Same bytes as localResponse, from a pre-encoded body, in one allocation. */
export function localResponseFrom(q: Query, e: EncodedLocal): Buffer {
  const qlen = q.question.length;
  const out = Buffer.allocUnsafe(HEADER_LEN + qlen + e.body.length + (q.edns ? 11 : 0));
  out.writeUInt16BE(q.id, 0);
  out.writeUInt16BE(responseFlags(q, e.rcode, FLAG_AA), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(e.an, 6);
  out.writeUInt16BE(e.ns, 8);
  out.writeUInt16BE(q.edns ? 1 : 0, 10);
  q.question.copy(out, HEADER_LEN);
  e.body.copy(out, HEADER_LEN + qlen);
  if (q.edns) writeOpt(out, HEADER_LEN + qlen + e.body.length, q.edns.dnssecOk);
  return out;
}

function writeOpt(out: Buffer, at: number, dnssecOk: boolean) {
  out.fill(0, at, at + 11);
  out.writeUInt16BE(TYPE_OPT, at + 1);
  out.writeUInt16BE(EDNS_UDP_SIZE, at + 3);
  if (dnssecOk) out.writeUInt16BE(0x8000, at + 7);
}

export function servfailResponse(q: Query): Buffer {
  return Buffer.concat([
    header(q.id, responseFlags(q, RCODE_SERVFAIL, 0), 1, 0, 0, q.edns ? 1 : 0),
    q.question,
    ...(q.edns ? [optRecord(q)] : []),
  ]);
}

/**
 * Header and question only, TC set: "ask again over TCP". What a UDP client over its rate limit
 * gets instead of silence (like RRL's slip, for every such query): never bigger than the query, so
 * a spoofed source gains nothing by it, while a real client retries over TCP, which paces it.
 */
export function truncatedResponse(q: Query): Buffer {
  return Buffer.concat([
    header(q.id, responseFlags(q, RCODE_NOERROR, FLAG_TC), 1, 0, 0, q.edns ? 1 : 0),
    q.question,
    ...(q.edns ? [optRecord(q)] : []),
  ]);
}

/**
 * Fits a response into what a UDP client can take: beyond its advertised size (512 without EDNS)
 * only the header and question go back, with TC set, so the client retries over TCP (RFC 2181 §9).
 */
export function fitForUdp(q: Query, response: Buffer, limit: number): { bytes: Buffer; truncated: boolean } {
  if (response.length <= limit) return { bytes: response, truncated: false };
  const flags = (response.readUInt16BE(2) | FLAG_TC) & ~0x000f;
  const rcode = response.readUInt16BE(2) & 0x000f;
  const bytes = Buffer.concat([
    header(q.id, flags | rcode, 1, 0, 0, q.edns ? 1 : 0),
    q.question,
    ...(q.edns ? [optRecord(q)] : []),
  ]);
  return { bytes, truncated: true };
}

/**
 * Re-addresses an upstream answer to the client: its ID, its RD/CD bits, its question bytes (the
 * upstream echoed ours, which may differ in case when several clients share one upstream query),
 * and no OPT record if the client did not speak EDNS (RFC 6891 §7). Records are not touched.
 */
export function adaptUpstreamResponse(q: Query, upstream: Buffer, scan: Scan, inPlace = false): Buffer {
  // In place when this answer goes to one client only (the buffer is ours, fresh from the socket).
  let out = inPlace ? upstream : Buffer.from(upstream);
  out.writeUInt16BE(q.id, 0);
  const flags = (out.readUInt16BE(2) & ~(FLAG_RD | FLAG_CD)) | (q.flags & (FLAG_RD | FLAG_CD));
  out.writeUInt16BE(flags, 2);
  if (scan.questionEnd - HEADER_LEN === q.question.length) q.question.copy(out, HEADER_LEN);
  if (!q.edns) {
    const last = scan.records[scan.records.length - 1];
    // Only a trailing OPT can be cut without moving records that compression pointers may target.
    if (last && last.type === TYPE_OPT && last.section === "additional" && last.end === out.length) {
      out = out.subarray(0, last.start);
      out.writeUInt16BE(scan.header.ar - 1, 10);
    }
  }
  return out;
}
