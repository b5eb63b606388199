// What a stored image is, decided without trusting it: its first bytes are read by us, never
// probed by qemu-img. A qcow2 is used only when its header references no other file (no backing
// file, no external data file) and is not encrypted; anything else that looks like an image format
// is refused; the rest is raw. qemu-img then reads the qcow2 with its format named (-f qcow2), so
// no other driver ever parses the bytes, and every later use names the format too (-F, format=).
import * as fs from "node:fs/promises";
import { QvmdError } from "../errors";
import { run } from "../util/exec";

/** How much of the file the header checks read: the qcow2 header and its extensions fit. */
export const HEADER_BYTES = 64 * 1024;

const QCOW_MAGIC = 0x514649fb; // "QFI\xfb"
const EXT_END = 0;
const EXT_DATA_FILE = 0x44415441; // "DATA": the name of an external data file
const INCOMPAT_DATA_FILE = 1n << 2n;

/** Magics of the formats QEMU would otherwise probe; we accept none of them as an image. */
const OTHER_FORMATS: Array<{ name: string; at: number; bytes: Buffer }> = [
  { name: "VMDK", at: 0, bytes: Buffer.from("KDMV") },
  { name: "VMDK descriptor", at: 0, bytes: Buffer.from("# Disk DescriptorFile") },
  { name: "VHDX", at: 0, bytes: Buffer.from("vhdxfile") },
  { name: "VHD (vpc)", at: 0, bytes: Buffer.from("conectix") },
  { name: "QED", at: 0, bytes: Buffer.from("QED\0") },
  { name: "LUKS", at: 0, bytes: Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]) },
  { name: "VDI", at: 0x40, bytes: Buffer.from([0x7f, 0x10, 0xda, 0xbe]) },
  { name: "Parallels", at: 0, bytes: Buffer.from("WithoutFreeSpace") },
  { name: "Parallels", at: 0, bytes: Buffer.from("WithouFreSpacExt") },
  { name: "Bochs", at: 0, bytes: Buffer.from("Bochs Virtual HD Image") },
  { name: "cloop", at: 0, bytes: Buffer.from("#!/bin/sh\n#V2.0 Format") },
];

export type HeaderVerdict =
  | { format: "qcow2" | "raw" }
  | {
      refused: {
        code: "IMAGE_HAS_BACKING_FILE" | "IMAGE_HAS_DATA_FILE" | "IMAGE_UNSUPPORTED_FORMAT";
        reason: string;
      };
    };

const refuse = (
  code: "IMAGE_HAS_BACKING_FILE" | "IMAGE_HAS_DATA_FILE" | "IMAGE_UNSUPPORTED_FORMAT",
  reason: string,
): HeaderVerdict => ({ refused: { code, reason } });

/** Pure: the verdict on an image from its first bytes (up to HEADER_BYTES). */
export function inspectHeader(head: Buffer): HeaderVerdict {
  if (head.length >= 4 && head.readUInt32BE(0) === QCOW_MAGIC) return inspectQcow2(head);
  for (const f of OTHER_FORMATS)
    if (head.length >= f.at + f.bytes.length && head.subarray(f.at, f.at + f.bytes.length).equals(f.bytes))
      return refuse("IMAGE_UNSUPPORTED_FORMAT", `a ${f.name} image; only qcow2 and raw are accepted`);
  return { format: "raw" };
}

function inspectQcow2(h: Buffer): HeaderVerdict {
  if (h.length < 72) return refuse("IMAGE_UNSUPPORTED_FORMAT", "a truncated qcow2 header");
  const version = h.readUInt32BE(4);
  if (version !== 2 && version !== 3)
    return refuse(
      "IMAGE_UNSUPPORTED_FORMAT",
      `qcow version ${version}; only qcow2 (versions 2 and 3) is accepted`,
    );
  if (h.readBigUInt64BE(8) !== 0n || h.readUInt32BE(16) !== 0)
    return refuse("IMAGE_HAS_BACKING_FILE", "the qcow2 header names a backing file");
  if (h.readUInt32BE(32) !== 0) return refuse("IMAGE_UNSUPPORTED_FORMAT", "an encrypted qcow2");
  let extAt = 72;
  if (version === 3) {
    if (h.length < 104) return refuse("IMAGE_UNSUPPORTED_FORMAT", "a truncated qcow2 v3 header");
    if ((h.readBigUInt64BE(72) & INCOMPAT_DATA_FILE) !== 0n)
      return refuse("IMAGE_HAS_DATA_FILE", "the qcow2 header says its data is in an external file");
    extAt = h.readUInt32BE(100);
  }
  // Header extensions: type, length, data padded to 8 bytes, until the end marker.
  for (let at = extAt; ;) {
    if (at + 8 > h.length)
      return refuse("IMAGE_UNSUPPORTED_FORMAT", "qcow2 header extensions run past the header");
    const type = h.readUInt32BE(at);
    const len = h.readUInt32BE(at + 4);
    if (type === EXT_END) break;
    if (type === EXT_DATA_FILE)
      return refuse("IMAGE_HAS_DATA_FILE", "the qcow2 header names an external data file");
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return { format: "qcow2" };
}

interface QemuImgInfo {
  format?: string;
  "virtual-size"?: number;
  "backing-filename"?: string;
  "full-backing-filename"?: string;
  encrypted?: boolean;
  "format-specific"?: { data?: { "data-file"?: string; encrypt?: unknown } };
}

export interface Inspected {
  format: "qcow2" | "raw";
  virtualSizeBytes: number;
}

/**
 * The format and virtual size of a stored blob, or a refusal naming `property`. Raw needs no
 * parser at all; a qcow2 is read by qemu-img's qcow2 driver only, after the header checks.
 */
export async function inspectImage(file: string, property: string): Promise<Inspected> {
  const fh = await fs.open(file, "r");
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(HEADER_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const verdict = inspectHeader(head);
  if ("refused" in verdict)
    throw new QvmdError("invalid", verdict.refused.code, `image refused: ${verdict.refused.reason}`, {
      property,
      hint:
        verdict.refused.code === "IMAGE_UNSUPPORTED_FORMAT"
          ? "convert it: qemu-img convert -O qcow2 in out.qcow2"
          : "make it self-contained: qemu-img convert -O qcow2 in.qcow2 out.qcow2",
    });
  if (verdict.format === "raw") return { format: "raw", virtualSizeBytes: size };
  const r = await run("qemu-img", ["info", "-f", "qcow2", "--output=json", file]);
  const info = JSON.parse(r.stdout) as QemuImgInfo;
  // Belt and braces: qemu-img's reading of the same header must agree with ours.
  const data = info["format-specific"]?.data;
  if (
    info["backing-filename"] ||
    info["full-backing-filename"] ||
    data?.["data-file"] ||
    info.encrypted ||
    data?.encrypt
  )
    throw new QvmdError(
      "invalid",
      "IMAGE_HAS_DATA_FILE",
      "image refused: qemu-img finds a reference to another file",
      {
        property,
      },
    );
  if (info.format !== "qcow2" || typeof info["virtual-size"] !== "number")
    throw new QvmdError(
      "invalid",
      "IMAGE_UNSUPPORTED_FORMAT",
      "image refused: qemu-img does not read it as qcow2",
      {
        property,
      },
    );
  return { format: "qcow2", virtualSizeBytes: info["virtual-size"] };
}
