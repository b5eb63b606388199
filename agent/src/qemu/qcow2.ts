// An empty qcow2 (version 3) overlay over a backing file, built in process: the same bytes as
// `qemu-img create -f qcow2 -F <format> -b <backing> <file> <size>` (QEMU 7.2), without an exec.
// Spawning qemu-img was one of the steps run beside each other before an instance's QEMU starts
// (bench/instance/PROFILE.md), and a process start costs more than writing ~200 KB.
//
// Layout (64 KiB clusters, 16-bit refcounts), as qemu-img lays out a new image: cluster 0 the
// header, its extensions (backing format, feature names) and the backing file's name; cluster 1
// the refcount table; cluster 2 the one refcount block; from cluster 3 the L1 table, all zero (no
// cluster allocated: every read falls through to the backing file). The file ends with the L1
// table. A clone's layer, sized by its backing file, is still qemu-img's (instance/host.ts).
//
// Format reference: QEMU's docs/interop/qcow2.txt.

const CLUSTER_BITS = 16;
const CLUSTER = 1 << CLUSTER_BITS;
/** Guest bytes one L1 entry covers: an L2 table of CLUSTER / 8 entries, each a cluster. */
const L1_ENTRY_SPAN = (CLUSTER / 8) * CLUSTER;
const HEADER_LENGTH = 112;
const REFCOUNT_ORDER = 4;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_NAMES = 0x6803f857;
/** What qemu-img 7.2 writes in its feature name table, in its order: [type, bit, name]. */
const FEATURE_NAMES: ReadonlyArray<readonly [number, number, string]> = [
  [0, 0, "dirty bit"],
  [0, 1, "corrupt bit"],
  [0, 2, "external data file"],
  [0, 3, "compression type"],
  [0, 4, "extended L2 entries"],
  [1, 0, "lazy refcounts"],
  [2, 0, "bitmaps"],
  [2, 1, "raw external data"],
];
const FEATURE_NAME_ENTRY = 48;
/** QEMU refuses longer backing file names (it reads at most 1023 bytes). */
export const MAX_BACKING_NAME = 1023;
/** The largest disk an Instance may have (api DISK_GB's 16 TiB); its L1 table is 4 clusters. */
export const MAX_SIZE = 2 ** 44;
const FORMAT = /^[a-z0-9]{1,16}$/;

const pad8 = (n: number) => (n + 7) & ~7;

/** The overlay's bytes; throws on what qemu-img would refuse or what this writer does not lay out. */
export function qcow2Overlay(backing: { path: string; format: string }, size: number): Buffer {
  if (!Number.isSafeInteger(size) || size <= 0 || size > MAX_SIZE || size % 512 !== 0)
    throw new RangeError(`qcow2 size ${size} is not a multiple of 512 in (0, ${MAX_SIZE}]`);
  if (!FORMAT.test(backing.format)) throw new RangeError(`backing format ${JSON.stringify(backing.format)}`);
  const name = Buffer.from(backing.path, "utf8");
  if (name.length === 0 || name.length > MAX_BACKING_NAME || name.includes(0))
    throw new RangeError(`backing file name of ${name.length} bytes (1..${MAX_BACKING_NAME}, no NUL)`);

  const l1Size = Math.ceil(size / L1_ENTRY_SPAN);
  const l1Bytes = l1Size * 8;
  const l1Clusters = Math.max(1, Math.ceil(l1Bytes / CLUSTER));
  const refTable = CLUSTER;
  const refBlock = 2 * CLUSTER;
  const l1Table = 3 * CLUSTER;
  const buf = Buffer.alloc(l1Table + l1Bytes);

  let at = HEADER_LENGTH;
  const ext = (type: number, length: number): number => {
    buf.writeUInt32BE(type, at);
    buf.writeUInt32BE(length, at + 4);
    const data = at + 8;
    at = data + pad8(length);
    return data;
  };
  buf.write(backing.format, ext(EXT_BACKING_FORMAT, backing.format.length), "latin1");
  const names = ext(EXT_FEATURE_NAMES, FEATURE_NAMES.length * FEATURE_NAME_ENTRY);
  FEATURE_NAMES.forEach(([type, bit, label], i) => {
    const e = names + i * FEATURE_NAME_ENTRY;
    buf.writeUInt8(type, e);
    buf.writeUInt8(bit, e + 1);
    buf.write(label, e + 2, "latin1");
  });
  ext(0, 0); // the end of the extensions
  const backingOffset = at;
  name.copy(buf, backingOffset);

  buf.writeUInt32BE(0x514649fb, 0); // "QFI\xfb"
  buf.writeUInt32BE(3, 4);
  buf.writeBigUInt64BE(BigInt(backingOffset), 8);
  buf.writeUInt32BE(name.length, 16);
  buf.writeUInt32BE(CLUSTER_BITS, 20);
  buf.writeBigUInt64BE(BigInt(size), 24);
  // 32: no encryption
  buf.writeUInt32BE(l1Size, 36);
  buf.writeBigUInt64BE(BigInt(l1Table), 40);
  buf.writeBigUInt64BE(BigInt(refTable), 48);
  buf.writeUInt32BE(1, 56); // refcount table clusters
  // 60..95: no snapshots, no feature bits
  buf.writeUInt32BE(REFCOUNT_ORDER, 96);
  buf.writeUInt32BE(HEADER_LENGTH, 100);
  // 104: compression type zlib (0), then padding

  buf.writeBigUInt64BE(BigInt(refBlock), refTable);
  // Every cluster the file has is used once: header, refcount table and block, the L1 table.
  for (let c = 0; c < 3 + l1Clusters; c++) buf.writeUInt16BE(1, refBlock + 2 * c);
  return buf;
}
