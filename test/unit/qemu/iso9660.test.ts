// The in-process ISO 9660 + Joliet writer, read back by a small reader written here from ECMA-119
// and the Joliet specification (not from the writer), field by field. Real readers (the guest's
// kernel, bsdtar, blkid) are in test/integration/qemu/seed-iso.test.ts.
import * as assert from "node:assert/strict";
import { buildIso, IsoError, primaryName, SECTOR } from "../../../agent/src/qemu/iso9660";
import { seedImage } from "../../../agent/src/qemu/seed";

const DATE = new Date(Date.UTC(2026, 11, 2, 1, 30, 45, 670));

/** A both-endian field: the little- and big-endian copies must agree. */
function both32(b: Buffer, off: number): number {
  const le = b.readUInt32LE(off);
  assert.equal(b.readUInt32BE(off + 4), le, `both-endian u32 at ${off} disagrees`);
  return le;
}
function both16(b: Buffer, off: number): number {
  const le = b.readUInt16LE(off);
  assert.equal(b.readUInt16BE(off + 2), le, `both-endian u16 at ${off} disagrees`);
  return le;
}

interface Rec {
  id: Buffer;
  extent: number;
  size: number;
  flags: number;
  date: number[];
}

function record(b: Buffer, off: number): Rec {
  const len = b[off]!;
  assert.ok(len >= 34, `record at ${off} is ${len} bytes`);
  assert.equal(len % 2, 0, "records have even length");
  const idLen = b[off + 32]!;
  assert.equal(len, 33 + idLen + (idLen % 2 === 0 ? 1 : 0), "length = 33 + identifier + padding");
  assert.equal(b[off + 1], 0, "no extended attribute record");
  assert.equal(both16(b, off + 28), 1, "volume sequence number");
  return {
    id: b.subarray(off + 33, off + 33 + idLen),
    extent: both32(b, off + 2),
    size: both32(b, off + 10),
    flags: b[off + 25]!,
    date: [...b.subarray(off + 18, off + 25)],
  };
}

/** Every record of a directory extent; none may cross a sector boundary. */
function directory(img: Buffer, rec: Rec): Rec[] {
  const out: Rec[] = [];
  for (let s = 0; s < rec.size / SECTOR; s++) {
    const base = (rec.extent + s) * SECTOR;
    let off = 0;
    while (off < SECTOR && img[base + off] !== 0) {
      const r = record(img, base + off);
      off += img[base + off]!;
      assert.ok(off <= SECTOR, "a record crosses a sector boundary");
      out.push(r);
    }
  }
  return out;
}

function descriptor(img: Buffer, sector: number) {
  const d = img.subarray(sector * SECTOR, (sector + 1) * SECTOR);
  assert.equal(d.toString("latin1", 1, 6), "CD001");
  assert.equal(d[6], 1, "descriptor version");
  return d;
}

const ucs2 = (b: Buffer) => Buffer.from(b).swap16().toString("utf16le");

function read(img: Buffer) {
  assert.equal(img.length % SECTOR, 0, "whole sectors");
  assert.ok(
    img.subarray(0, 16 * SECTOR).every((x) => x === 0),
    "system area is zero",
  );
  const pvd = descriptor(img, 16);
  const svd = descriptor(img, 17);
  const term = descriptor(img, 18);
  assert.deepEqual([pvd[0], svd[0], term[0]], [1, 2, 255]);
  assert.equal(both32(pvd, 80), img.length / SECTOR, "volume space size is the image's");
  assert.equal(both32(svd, 80), img.length / SECTOR);
  assert.equal(svd.toString("latin1", 88, 91), "%/E", "Joliet level 3 escape sequence");
  assert.ok(
    pvd.subarray(88, 120).every((x) => x === 0),
    "no escape sequences in the primary",
  );
  for (const d of [pvd, svd]) {
    assert.equal(both16(d, 120), 1, "volume set size");
    assert.equal(both16(d, 124), 1, "volume sequence number");
    assert.equal(both16(d, 128), SECTOR, "logical block size");
    assert.equal(d[881], 1, "file structure version");
  }
  const tree = (d: Buffer) => {
    const root = record(d, 156);
    assert.equal(d[156], 34, "the root record in a descriptor is 34 bytes");
    assert.deepEqual([...root.id], [0]);
    assert.equal(root.flags & 2, 2, "root is a directory");
    // Path tables: one entry, the root, its own parent, at the location the descriptor names.
    const size = both32(d, 132);
    assert.equal(size, 10);
    const l = d.readUInt32LE(140) * SECTOR;
    const m = d.readUInt32BE(148) * SECTOR;
    assert.deepEqual(
      [img[l], img[l + 1], img.readUInt32LE(l + 2), img.readUInt16LE(l + 6), img[l + 8]],
      [1, 0, root.extent, 1, 0],
    );
    assert.deepEqual(
      [img[m], img[m + 1], img.readUInt32BE(m + 2), img.readUInt16BE(m + 6), img[m + 8]],
      [1, 0, root.extent, 1, 0],
    );
    const recs = directory(img, root);
    assert.deepEqual([...recs[0]!.id], [0], "first record is '.'");
    assert.deepEqual([...recs[1]!.id], [1], "second record is '..'");
    for (const r of recs.slice(0, 2)) assert.deepEqual([r.extent, r.size], [root.extent, root.size]);
    const files = recs.slice(2);
    for (let i = 1; i < files.length; i++)
      assert.ok(Buffer.compare(files[i - 1]!.id, files[i]!.id) < 0, "records sorted by identifier");
    for (const f of files) {
      assert.equal(f.flags, 0, "a plain file");
      assert.ok(f.extent + Math.ceil(f.size / SECTOR) <= img.length / SECTOR, "extent inside the volume");
    }
    return { root, files };
  };
  return { pvd, svd, primary: tree(pvd), joliet: tree(svd) };
}

describe("ISO 9660 + Joliet writer", () => {
  const files = [
    { name: "user-data", data: Buffer.from("#cloud-config\nhostname: web\n") },
    { name: "meta-data", data: Buffer.from("instance-id: web1\n") },
    { name: "network-config", data: Buffer.alloc(5000, 0x61) }, // spans three sectors
  ];

  it("writes descriptors, path tables and both trees that a spec reader agrees with", () => {
    const img = buildIso({ volumeId: "cidata", files, date: DATE });
    const { pvd, svd, primary, joliet } = read(img);
    assert.equal(pvd.toString("latin1", 40, 72), "cidata".padEnd(32, " "));
    assert.equal(ucs2(svd.subarray(40, 72)), "cidata".padEnd(16, " "));
    assert.equal(pvd.toString("latin1", 813, 829), "2026120201304567", "creation date");
    assert.equal(pvd.toString("latin1", 847, 863), "0000000000000000", "no expiration");
    assert.deepEqual(primary.root.date, [126, 12, 2, 1, 30, 45, 0]);

    assert.deepEqual(
      primary.files.map((f) => f.id.toString("latin1")),
      ["META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1"],
    );
    assert.deepEqual(
      joliet.files.map((f) => ucs2(f.id)),
      ["meta-data", "network-config", "user-data"],
    );
    assert.notEqual(primary.root.extent, joliet.root.extent, "each tree has its own root directory");
    // Both trees name the same extents, and each holds its file's bytes followed by zeros.
    for (const f of files) {
      const j = joliet.files.find((r) => ucs2(r.id) === f.name)!;
      const p = primary.files.find((r) => r.id.toString("latin1") === primaryName(f.name))!;
      assert.deepEqual([p.extent, p.size], [j.extent, j.size]);
      assert.equal(j.size, f.data.length);
      const at = j.extent * SECTOR;
      assert.deepEqual(img.subarray(at, at + j.size), f.data);
      const end = Math.ceil(j.size / SECTOR) * SECTOR;
      assert.ok(img.subarray(at + j.size, at + end).every((x) => x === 0));
    }
    const extents = joliet.files.map((f) => [f.extent, f.extent + Math.ceil(f.size / SECTOR)] as const);
    extents.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < extents.length; i++) assert.ok(extents[i - 1]![1] <= extents[i]![0], "no overlap");
    assert.ok(extents[0]![0] > joliet.root.extent, "file data after the directories");
  });

  it("is the same bytes for the same input and date", () => {
    assert.deepEqual(
      buildIso({ volumeId: "cidata", files, date: DATE }),
      buildIso({ volumeId: "cidata", files, date: DATE }),
    );
  });

  it("spreads a directory over more sectors without a record crossing one", () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      name: `file-${String(i).padStart(2, "0")}-${"x".repeat(40)}`,
      data: Buffer.from(String(i)),
    }));
    // Distinct 8.3 names for the primary tree: the first 8 characters differ.
    for (const [i, f] of many.entries()) f.name = `f${String(i).padStart(2, "0")}` + f.name;
    const img = buildIso({ volumeId: "many", files: many, date: DATE });
    const { joliet, primary } = read(img);
    assert.ok(joliet.root.size > SECTOR, "Joliet root needs more than one sector");
    assert.equal(joliet.files.length, 60);
    assert.equal(primary.files.length, 60);
    for (const r of joliet.files) {
      const f = many.find((m) => m.name === ucs2(r.id))!;
      assert.equal(img.toString("latin1", r.extent * SECTOR, r.extent * SECTOR + r.size), f.data.toString());
    }
  });

  it("keeps non-ASCII names in Joliet and refuses names it cannot write", () => {
    const img = buildIso({ volumeId: "v", files: [{ name: "données", data: Buffer.from("x") }], date: DATE });
    assert.deepEqual(
      read(img).joliet.files.map((f) => ucs2(f.id)),
      ["données"],
    );
    assert.equal(primaryName("données"), "DONN_ES.;1");
    for (const name of ["", "a/b", "a;1", "x".repeat(65), "a\nb", "..", "😀"])
      assert.throws(
        () => buildIso({ volumeId: "v", files: [{ name, data: Buffer.alloc(0) }] }),
        IsoError,
        name,
      );
    assert.throws(
      () =>
        buildIso({
          volumeId: "v",
          files: [
            { name: "user-data1", data: Buffer.alloc(0) },
            { name: "user-data2", data: Buffer.alloc(0) },
          ],
        }),
      /USER_DAT/,
      "two names that shorten to the same 8.3 name",
    );
    assert.throws(() => buildIso({ volumeId: "x".repeat(17), files: [] }), IsoError);
  });

  it("the seed holds user-data and meta-data, network-config only when given, labelled cidata", () => {
    const names = (img: Buffer) => read(img).joliet.files.map((f) => ucs2(f.id));
    assert.deepEqual(names(seedImage({ userData: "#cloud-config\n", metaData: "instance-id: a\n" }, DATE)), [
      "meta-data",
      "user-data",
    ]);
    const img = seedImage({ userData: "u", metaData: "m", networkConfig: "n" }, DATE);
    assert.deepEqual(names(img), ["meta-data", "network-config", "user-data"]);
    assert.equal(read(img).pvd.toString("latin1", 40, 46), "cidata");
  });
});
