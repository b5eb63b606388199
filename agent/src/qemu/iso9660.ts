// A minimal ISO 9660 + Joliet writer: one root directory of small files, which is all a NoCloud
// seed needs. Built in process because exec'ing genisoimage was the longest step of an instance
// create (bench/instance/PROFILE.md), and so qvmd has one program fewer to find and trust.
//
// Layout (2048-byte sectors): 0-15 system area, 16 primary descriptor, 17 Joliet supplementary
// descriptor, 18 terminator, 19-22 path tables (primary L and M, Joliet L and M), then the primary
// root directory, the Joliet root directory, then each file's data. Both trees point at the same
// file extents. Linux uses the Joliet names (mixed case, dashes) when no Rock Ridge is present,
// which is how cloud-init finds `user-data`; the primary names are the 8.3 fallback.

export const SECTOR = 2048;
const FIRST_DESCRIPTOR = 16;
/** ECMA-119 stores most numbers twice; the volume space size is one of them (a u32). */
const MAX_U32 = 0xffffffff;
/** 64 UCS-2 characters per identifier; like genisoimage, no `;1` version is appended. */
const JOLIET_NAME_MAX = 64;

export interface IsoFile {
  /** The Joliet name (what Linux shows); the primary 8.3 name is derived from it. */
  name: string;
  data: Uint8Array;
}

export interface IsoOptions {
  /** The volume identifier, in both descriptors (blkid's LABEL). */
  volumeId: string;
  files: IsoFile[];
  /** Recorded in the descriptors and directory records; a parameter so output can be reproduced. */
  date?: Date;
}

export class IsoError extends Error {}

function bothU16(b: Buffer, off: number, v: number): void {
  b.writeUInt16LE(v, off);
  b.writeUInt16BE(v, off + 2);
}

function bothU32(b: Buffer, off: number, v: number): void {
  b.writeUInt32LE(v, off);
  b.writeUInt32BE(v, off + 4);
}

function ascii(b: Buffer, off: number, len: number, s: string): void {
  b.fill(0x20, off, off + len);
  b.write(s, off, len, "latin1");
}

function ucs2be(s: string): Buffer {
  const le = Buffer.from(s, "utf16le");
  return le.swap16();
}

function ucs2Field(b: Buffer, off: number, len: number, s: string): void {
  for (let i = off; i + 1 < off + len; i += 2) b.writeUInt16BE(0x0020, i);
  ucs2be(s).copy(b, off, 0, len & ~1);
}

/** The 17-byte dec-datetime of a volume descriptor (digits, then the GMT offset in 15-minute units). */
function longDate(b: Buffer, off: number, d: Date | undefined): void {
  if (!d) {
    b.write("0000000000000000", off, "latin1");
    b[off + 16] = 0;
    return;
  }
  const p = (n: number, w: number) => String(n).padStart(w, "0");
  const s =
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1, 2) +
    p(d.getUTCDate(), 2) +
    p(d.getUTCHours(), 2) +
    p(d.getUTCMinutes(), 2) +
    p(d.getUTCSeconds(), 2) +
    p(Math.floor(d.getUTCMilliseconds() / 10), 2);
  b.write(s, off, "latin1");
  b[off + 16] = 0;
}

/** The 7-byte datetime of a directory record. */
function shortDate(d: Date): Buffer {
  return Buffer.from([
    d.getUTCFullYear() - 1900,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    0,
  ]);
}

/** An ECMA-119 directory record; `id` is the raw file identifier (0x00 for ".", 0x01 for ".."). */
function dirRecord(id: Buffer, extent: number, size: number, isDir: boolean, date: Buffer): Buffer {
  const len = 33 + id.length + (id.length % 2 === 0 ? 1 : 0);
  const r = Buffer.alloc(len);
  r[0] = len;
  r[1] = 0;
  bothU32(r, 2, extent);
  bothU32(r, 10, size);
  date.copy(r, 18);
  r[25] = isDir ? 2 : 0;
  bothU16(r, 28, 1);
  r[32] = id.length;
  id.copy(r, 33);
  return r;
}

/** Level-1 name: up to 8 d-characters, a dot, up to 3, then `;1` (e.g. user-data -> USER_DAT.;1). */
export function primaryName(name: string): string {
  const clean = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
  const dot = name.lastIndexOf(".");
  const base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  return `${clean(base).slice(0, 8)}.${clean(ext).slice(0, 3)};1`;
}

function checkJolietName(name: string): void {
  if (name.length === 0 || name.length > JOLIET_NAME_MAX || name === "." || name === "..")
    throw new IsoError(`bad file name ${JSON.stringify(name)}`);
  // Joliet forbids these and control characters; a slash would also name a directory.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f*/:;?\\]/.test(name) || /[^\u0000-\uffff]/u.test(name))
    throw new IsoError(`bad file name ${JSON.stringify(name)}`);
}

/** Records packed into whole sectors; ECMA-119 forbids a record crossing a sector boundary. */
function packDirectory(records: Buffer[]): Buffer[] {
  const sectors: Buffer[] = [];
  let cur: Buffer[] = [];
  let used = 0;
  for (const r of records) {
    if (used + r.length > SECTOR) {
      sectors.push(Buffer.concat(cur, SECTOR));
      cur = [];
      used = 0;
    }
    cur.push(r);
    used += r.length;
  }
  sectors.push(Buffer.concat(cur, SECTOR));
  return sectors;
}

function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}

/** The whole image: descriptors, path tables, both root directories and the file data. */
export function buildIso(opts: IsoOptions): Buffer {
  const date = opts.date ?? new Date();
  const recDate = shortDate(date);
  if (!/^[\x20-\x7e]{1,16}$/.test(opts.volumeId))
    throw new IsoError(`bad volume id ${JSON.stringify(opts.volumeId)}`);

  const files = opts.files.map((f) => {
    checkJolietName(f.name);
    return { ...f, primary: Buffer.from(primaryName(f.name), "latin1"), joliet: ucs2be(f.name) };
  });
  const dup = (key: (f: (typeof files)[number]) => string) => {
    const seen = new Set<string>();
    for (const f of files) {
      const k = key(f);
      if (seen.has(k)) throw new IsoError(`two files would be named ${JSON.stringify(k)}`);
      seen.add(k);
    }
  };
  dup((f) => f.name);
  dup((f) => f.primary.toString("latin1"));

  // Each tree is sorted by its own identifiers' bytes, as readers may binary-search them.
  const primaryOrder = [...files].sort((a, b) => Buffer.compare(a.primary, b.primary));
  const jolietOrder = [...files].sort((a, b) => Buffer.compare(a.joliet, b.joliet));

  // Directory sizes only depend on names, so the layout can be fixed before any extent is known.
  const dirSectors = (order: typeof files, id: (f: (typeof files)[number]) => Buffer) =>
    packDirectory([
      dirRecord(Buffer.from([0]), 0, 0, true, recDate),
      dirRecord(Buffer.from([1]), 0, 0, true, recDate),
      ...order.map((f) => dirRecord(id(f), 0, 0, false, recDate)),
    ]).length;
  const pathTables = FIRST_DESCRIPTOR + 3;
  const primaryRoot = pathTables + 4;
  const primaryRootSectors = dirSectors(primaryOrder, (f) => f.primary);
  const jolietRoot = primaryRoot + primaryRootSectors;
  const jolietRootSectors = dirSectors(jolietOrder, (f) => f.joliet);
  let next = jolietRoot + jolietRootSectors;
  const extents = new Map<IsoFile["name"], number>();
  for (const f of files) {
    if (f.data.length > MAX_U32) throw new IsoError(`${f.name} is too large`);
    extents.set(f.name, next);
    next += sectorsFor(f.data.length);
  }
  const total = next;
  if (total > MAX_U32) throw new IsoError("image too large");

  const img = Buffer.alloc(total * SECTOR);
  const at = (sector: number) => sector * SECTOR;

  const writeDir = (
    start: number,
    nsect: number,
    order: typeof files,
    id: (f: (typeof files)[number]) => Buffer,
  ) => {
    const size = nsect * SECTOR;
    const sectors = packDirectory([
      // The root is its own parent.
      dirRecord(Buffer.from([0]), start, size, true, recDate),
      dirRecord(Buffer.from([1]), start, size, true, recDate),
      ...order.map((f) => dirRecord(id(f), extents.get(f.name)!, f.data.length, false, recDate)),
    ]);
    sectors.forEach((s, i) => s.copy(img, at(start + i)));
  };
  writeDir(primaryRoot, primaryRootSectors, primaryOrder, (f) => f.primary);
  writeDir(jolietRoot, jolietRootSectors, jolietOrder, (f) => f.joliet);
  for (const f of files)
    Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length).copy(img, at(extents.get(f.name)!));

  // A path table of the root alone: identifier 0x00, parent 1 (itself); 10 bytes with padding.
  const PATH_TABLE_SIZE = 10;
  const pathTable = (sector: number, root: number, bigEndian: boolean) => {
    const o = at(sector);
    img[o] = 1;
    img[o + 1] = 0;
    if (bigEndian) {
      img.writeUInt32BE(root, o + 2);
      img.writeUInt16BE(1, o + 6);
    } else {
      img.writeUInt32LE(root, o + 2);
      img.writeUInt16LE(1, o + 6);
    }
    img[o + 8] = 0;
  };
  pathTable(pathTables, primaryRoot, false);
  pathTable(pathTables + 1, primaryRoot, true);
  pathTable(pathTables + 2, jolietRoot, false);
  pathTable(pathTables + 3, jolietRoot, true);

  const descriptor = (sector: number, type: 1 | 2, lTable: number, root: number, rootSectors: number) => {
    const o = at(sector);
    const d = img.subarray(o, o + SECTOR);
    d[0] = type;
    d.write("CD001", 1, "latin1");
    d[6] = 1;
    const text = type === 1 ? ascii : ucs2Field;
    text(d, 8, 32, ""); // system identifier
    text(d, 40, 32, opts.volumeId);
    bothU32(d, 80, total);
    if (type === 2) d.write("%/E", 88, "latin1"); // Joliet level 3 (UCS-2)
    bothU16(d, 120, 1); // volume set size
    bothU16(d, 124, 1); // volume sequence number
    bothU16(d, 128, SECTOR);
    bothU32(d, 132, PATH_TABLE_SIZE);
    d.writeUInt32LE(lTable, 140);
    d.writeUInt32BE(lTable + 1, 148);
    dirRecord(Buffer.from([0]), root, rootSectors * SECTOR, true, recDate).copy(d, 156);
    text(d, 190, 128, ""); // volume set
    text(d, 318, 128, ""); // publisher
    text(d, 446, 128, ""); // data preparer
    text(d, 574, 128, ""); // application
    text(d, 702, 37, ""); // copyright file
    text(d, 739, 37, ""); // abstract file
    text(d, 776, 37, ""); // bibliographic file
    longDate(d, 813, date); // creation
    longDate(d, 830, date); // modification
    longDate(d, 847, undefined); // expiration
    longDate(d, 864, date); // effective
    d[881] = 1; // file structure version
  };
  descriptor(FIRST_DESCRIPTOR, 1, pathTables, primaryRoot, primaryRootSectors);
  descriptor(FIRST_DESCRIPTOR + 1, 2, pathTables + 2, jolietRoot, jolietRootSectors);
  const term = at(FIRST_DESCRIPTOR + 2);
  img[term] = 255;
  img.write("CD001", term + 1, "latin1");
  img[term + 6] = 1;
  return img;
}
