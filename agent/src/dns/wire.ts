// Cheap structural checks of a DNS message before anything else looks at it (RFC 1035 §4.1).
// Packets come from the network and may be hostile: every offset is bounds-checked, header counts
// are checked against the data length before any walk (a library decoder would allocate arrays of
// the claimed size first), and compression pointers must strictly move backwards, which makes
// loops impossible instead of merely detected. Pure: no I/O, no allocation proportional to claims.

export const HEADER_LEN = 12;
export const MAX_LABEL = 63;
export const MAX_NAME = 255;
export const TYPE_OPT = 41;

export type WireErrorCode =
  | "SHORT_HEADER"
  | "COUNTS_EXCEED_DATA"
  | "NAME_OUT_OF_BOUNDS"
  | "LABEL_TOO_LONG"
  | "NAME_TOO_LONG"
  | "BAD_LABEL_TYPE"
  | "POINTER_INTO_HEADER"
  | "FORWARD_POINTER"
  | "POINTER_LOOP"
  | "RECORD_OUT_OF_BOUNDS"
  | "TRAILING_DATA";

export interface Header {
  id: number;
  flags: number;
  qd: number;
  an: number;
  ns: number;
  ar: number;
}

export interface NameRead {
  /** Offset just past the name as it sits in the packet (after a pointer, if any). */
  end: number;
  /** Uncompressed wire length, including the root label. */
  wireLength: number;
  /** Labels without length bytes; only collected on request. */
  labels?: Buffer[];
}

export type Section = "answer" | "authority" | "additional";

export interface RecordRef {
  section: Section;
  start: number;
  type: number;
  klass: number;
  ttl: number;
  rdataStart: number;
  end: number;
  /** True when the owner name is the root (a single zero byte), as OPT requires. */
  rootOwner: boolean;
}

export interface Scan {
  header: Header;
  questionEnd: number;
  records: RecordRef[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; code: WireErrorCode };

const fail = <T>(code: WireErrorCode): Result<T> => ({ ok: false, code });

export function readHeader(buf: Buffer): Header | undefined {
  if (buf.length < HEADER_LEN) return undefined;
  return {
    id: buf.readUInt16BE(0),
    flags: buf.readUInt16BE(2),
    qd: buf.readUInt16BE(4),
    an: buf.readUInt16BE(6),
    ns: buf.readUInt16BE(8),
    ar: buf.readUInt16BE(10),
  };
}

// Name errors as small negative numbers, so the walk below allocates nothing per name.
const NAME_ERRORS: readonly WireErrorCode[] = [
  "NAME_OUT_OF_BOUNDS",
  "POINTER_INTO_HEADER",
  "FORWARD_POINTER",
  "POINTER_LOOP",
  "BAD_LABEL_TYPE",
  "NAME_TOO_LONG",
  "LABEL_TOO_LONG",
];
const E_BOUNDS = -1;
const E_INTO_HEADER = -2;
const E_FORWARD = -3;
const E_LOOP = -4;
const E_LABEL_TYPE = -5;
const E_NAME_LONG = -6;
const E_LABEL_LONG = -7;

/** The code of a negative skipName result. */
export const nameError = (r: number): WireErrorCode => NAME_ERRORS[-r - 1]!;

/**
 * The offset just past the (possibly compressed) name at `offset`, or a negative error (nameError).
 * Every pointer must target an offset below the start of the segment it was reached from, so the
 * walk is strictly decreasing and terminates. Allocates nothing: it runs for every name of every
 * query and reply (the per-name result objects were a measured share of the forwarder's GC).
 */
export function skipName(buf: Buffer, offset: number): number {
  let pos = offset;
  let segmentStart = offset;
  let end = -1;
  let wireLength = 0;
  for (;;) {
    if (pos >= buf.length) return E_BOUNDS;
    const len = buf[pos]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return E_BOUNDS;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target < HEADER_LEN) return E_INTO_HEADER;
      if (target >= pos) return E_FORWARD;
      if (target >= segmentStart) return E_LOOP;
      pos = target;
      segmentStart = target;
      continue;
    }
    if (kind !== 0) return E_LABEL_TYPE;
    wireLength += len + 1;
    if (wireLength > MAX_NAME) return E_NAME_LONG;
    if (len === 0) return end < 0 ? pos + 1 : end;
    if (len > MAX_LABEL) return E_LABEL_LONG;
    if (pos + 1 + len > buf.length) return E_BOUNDS;
    pos += 1 + len;
  }
}

/**
 * Whether the name at `offset`, which skipName accepted, equals `lower` (a lowercase name in wire
 * form: length-prefixed labels, then 0), ASCII letters compared case-insensitively (RFC 4343).
 * Walks the packet in place: no label copies.
 */
export function nameEqualsLower(buf: Buffer, offset: number, lower: Buffer): boolean {
  let pos = offset;
  let at = 0;
  for (let hops = 0; hops <= MAX_NAME; hops++) {
    if (pos >= buf.length) return false;
    const len = buf[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) return false;
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // skipName guarantees this for accepted names; checked again so the walk can never loop.
      if (target >= pos) return false;
      pos = target;
      continue;
    }
    if (at >= lower.length || lower[at] !== len) return false;
    if (len === 0) return at === lower.length - 1;
    if (pos + 1 + len > buf.length || at + 1 + len > lower.length) return false;
    for (let k = 1; k <= len; k++) {
      const c = buf[pos + k]!;
      if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== lower[at + k]) return false;
    }
    pos += 1 + len;
    at += 1 + len;
  }
  return false;
}

/**
 * Reads a possibly compressed name at `offset` (skipName's checks), collecting its labels on
 * request.
 */
export function readName(buf: Buffer, offset: number, collect = false): Result<NameRead> {
  const end = skipName(buf, offset);
  if (end < 0) return fail(nameError(end));
  const labels: Buffer[] | undefined = collect ? [] : undefined;
  let pos = offset;
  let wireLength = 0;
  for (;;) {
    const len = buf[pos]!;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    wireLength += len + 1;
    if (len === 0) return { ok: true, value: { end, wireLength, labels } };
    labels?.push(buf.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
}

const SECTIONS: readonly Section[] = ["answer", "authority", "additional"];
// A shared default: `= {}` in the signature would allocate an object per call (one per query).
const STRICT: { allowTrailing?: boolean } = Object.freeze({});

/** Walks the whole message: header, questions, then every resource record's framing. */
export function scanMessage(buf: Buffer, opts: { allowTrailing?: boolean } = STRICT): Result<Scan> {
  const header = readHeader(buf);
  if (!header) return fail("SHORT_HEADER");
  // Smallest possible encodings: a question is root + type + class (5), a record adds ttl + rdlength (11).
  const minimum = HEADER_LEN + header.qd * 5 + (header.an + header.ns + header.ar) * 11;
  if (minimum > buf.length) return fail("COUNTS_EXCEED_DATA");
  let pos = HEADER_LEN;
  for (let i = 0; i < header.qd; i++) {
    const end = skipName(buf, pos);
    if (end < 0) return fail(nameError(end));
    pos = end + 4;
    if (pos > buf.length) return fail("RECORD_OUT_OF_BOUNDS");
  }
  const questionEnd = pos;
  // Sized once (the counts were checked against the length above): pushing grows the store.
  const records = new Array<RecordRef>(header.an + header.ns + header.ar);
  let r = 0;
  for (let s = 0; s < 3; s++) {
    const count = s === 0 ? header.an : s === 1 ? header.ns : header.ar;
    for (let i = 0; i < count; i++) {
      const start = pos;
      const end = skipName(buf, pos);
      if (end < 0) return fail(nameError(end));
      pos = end;
      if (pos + 10 > buf.length) return fail("RECORD_OUT_OF_BOUNDS");
      const rdLength = buf.readUInt16BE(pos + 8);
      const rdataStart = pos + 10;
      const recordEnd = rdataStart + rdLength;
      if (recordEnd > buf.length) return fail("RECORD_OUT_OF_BOUNDS");
      records[r++] = {
        section: SECTIONS[s]!,
        start,
        type: buf.readUInt16BE(pos),
        klass: buf.readUInt16BE(pos + 2),
        ttl: buf.readUInt32BE(pos + 4),
        rdataStart,
        end: recordEnd,
        rootOwner: end === start + 1 && buf[start] === 0,
      };
      pos = recordEnd;
    }
  }
  if (!opts.allowTrailing && pos !== buf.length) return fail("TRAILING_DATA");
  return { ok: true, value: { header, questionEnd, records } };
}

/** The labels of a name in wire form without compression (a query's question name). */
export function wireLabels(name: Buffer): Buffer[] {
  const labels: Buffer[] = [];
  for (let pos = 0; pos < name.length && name[pos] !== 0; pos += 1 + name[pos]!)
    labels.push(name.subarray(pos + 1, pos + 1 + name[pos]!));
  return labels;
}

/** ASCII-only lowercase, as DNS names compare (RFC 4343): other bytes are left alone. */
export function lowerAscii(label: Buffer): Buffer {
  const out = Buffer.from(label);
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c >= 0x41 && c <= 0x5a) out[i] = c + 0x20;
  }
  return out;
}

/** Presentation form (RFC 1035 §5.1): dots and backslashes escaped, non-printables as \DDD. */
export function labelsToName(labels: Buffer[]): string {
  if (labels.length === 0) return ".";
  return labels
    .map((label) => {
      let s = "";
      for (const c of label) {
        if (c === 0x2e || c === 0x5c) s += "\\" + String.fromCharCode(c);
        else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
        else s += "\\" + String(c).padStart(3, "0");
      }
      return s;
    })
    .join(".");
}
