// UploadBlob: bytes a client read with its own rights arrive here, are hashed as they are written
// to a private temp file, and become a blob held for the caller's uid (see UploadBlob in the proto).
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Readable } from "node:stream";
import type { wire } from "@pulumi-qemu/api";
import { type StatePaths, UPLOAD_CHUNK_MAX, UPLOAD_HOLD_MS, UPLOAD_IDLE_MS } from "../constants";
import { QvmdError, invalid } from "../errors";
import type { Caller } from "../peer/creds";
import { UNDECODABLE_HEAD_BYTES, Undecodable } from "../rpc";
import type { StateStore } from "../state";
import { syncDir } from "../util/atomic";

export const uploadKey = (uid: number, sha256: string) => `${uid}:${sha256}`;

export interface Received {
  tmp: string;
  sha256: string;
  sizeBytes: number;
}

const EXPECTED_FIRST =
  "an upload starts with one header message (UploadChunk.header: size_bytes, sha256, name), then data messages";

/** What arrived in place of an upload message, for an error: its kind, size and first bytes (hex). */
export function describeChunk(msg: wire.UploadChunk__Output | Undecodable): string {
  if (msg instanceof Undecodable)
    return (
      `${msg.size} bytes that are not an UploadChunk (${msg.reason})` +
      (msg.size > 0 ? `, starting ${msg.head}${msg.size > UNDECODABLE_HEAD_BYTES ? "…" : ""}` : "")
    );
  if (msg.part === "data" && msg.data) {
    const head = msg.data.subarray(0, UNDECODABLE_HEAD_BYTES).toString("hex");
    return `a data message of ${msg.data.length} bytes${msg.data.length > 0 ? `, starting ${head}` : ""}${msg.data.length > UNDECODABLE_HEAD_BYTES ? "…" : ""}`;
  }
  if (msg.part === "header" && msg.header) return `a second header (size_bytes ${msg.header.size_bytes})`;
  return "an UploadChunk with neither header nor data";
}

/**
 * Reads an upload stream into a new file under `dir`: header first, then data, exactly the
 * announced size, at most `maxBytes`. The file is removed on any failure.
 */
export async function receive(
  stream: Readable & AsyncIterable<wire.UploadChunk__Output | Undecodable>,
  dir: string,
  maxBytes: number,
  idleMs = UPLOAD_IDLE_MS,
): Promise<Received> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `${randomBytes(6).toString("hex")}.upload`);
  // Idle or cancelled: the stream ends in an error, which ends the loop below.
  let timer: NodeJS.Timeout | undefined;
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stream.destroy(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  const onCancel = () => stream.destroy(new Error("the client cancelled the upload"));
  stream.once("cancelled", onCancel);
  const fh = await fs.open(tmp, "wx", 0o600);
  try {
    const hash = createHash("sha256");
    let header: wire.UploadHeader__Output | undefined;
    let received = 0;
    let n = 0;
    idle();
    for await (const msg of stream) {
      idle();
      n++;
      if (!header) {
        if (msg instanceof Undecodable || msg.part !== "header" || !msg.header)
          throw invalid(
            "UPLOAD_NO_HEADER",
            "header",
            `${EXPECTED_FIRST}; the first message was ${describeChunk(msg)}`,
          );
        header = msg.header;
        const size = Number(header.size_bytes);
        if (!Number.isSafeInteger(size) || size < 0)
          throw invalid(
            "UPLOAD_SIZE_MISMATCH",
            "size_bytes",
            `size_bytes ${header.size_bytes} is not a size`,
          );
        if (size > maxBytes)
          throw invalid(
            "UPLOAD_TOO_LARGE",
            "size_bytes",
            `${size} bytes is more than the ${maxBytes} this qvmd accepts in one upload`,
            "the admin sets the limit (uploads.maxBytes in qvmd's config)",
          );
        if (header.sha256 !== "" && !/^[0-9a-f]{64}$/.test(header.sha256))
          throw invalid("BAD_SHA256", "sha256", "must be 64 lower-case hexadecimal characters");
        continue;
      }
      if (msg instanceof Undecodable || msg.part !== "data" || !msg.data)
        throw invalid(
          "UPLOAD_NO_HEADER",
          "header",
          `after its header an upload has only data messages; message ${n} was ${describeChunk(msg)}`,
        );
      if (msg.data.length > UPLOAD_CHUNK_MAX)
        throw invalid(
          "UPLOAD_SIZE_MISMATCH",
          "data",
          `a chunk of ${msg.data.length} bytes; at most ${UPLOAD_CHUNK_MAX}`,
        );
      received += msg.data.length;
      if (received > Number(header.size_bytes))
        throw invalid(
          "UPLOAD_SIZE_MISMATCH",
          "size_bytes",
          `more bytes than the ${header.size_bytes} announced`,
        );
      hash.update(msg.data);
      await fh.write(msg.data);
    }
    if (!header)
      throw invalid("UPLOAD_NO_HEADER", "header", `${EXPECTED_FIRST}; the stream ended with no message`);
    if (received !== Number(header.size_bytes))
      throw invalid(
        "UPLOAD_SIZE_MISMATCH",
        "size_bytes",
        `${received} bytes arrived, ${header.size_bytes} were announced${header.name ? ` (${header.name})` : ""}`,
      );
    const sha256 = hash.digest("hex");
    if (header.sha256 !== "" && header.sha256 !== sha256)
      throw invalid(
        "IMAGE_SHA256_MISMATCH",
        "sha256",
        `the uploaded bytes${header.name ? ` of ${header.name}` : ""} have sha256 ${sha256}, expected ${header.sha256}`,
        "fix sha256, or the file changed while it was read; nothing was kept",
      );
    await fh.sync();
    return { tmp, sha256, sizeBytes: received };
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (e instanceof QvmdError) throw e;
    throw new QvmdError(
      "invalid",
      "UPLOAD_SIZE_MISMATCH",
      `upload failed: ${(e as Error).message}; nothing was kept`,
      {
        property: "data",
      },
    );
  } finally {
    clearTimeout(timer);
    stream.off("cancelled", onCancel);
    await fh.close();
  }
}

/** Moves received bytes into the store and holds them for the caller's uid. */
export async function keepUpload(
  p: StatePaths,
  state: StateStore,
  r: Received,
  caller: Caller,
  now = Date.now(),
): Promise<void> {
  await fs.mkdir(p.blobsDir, { recursive: true, mode: 0o700 });
  // The same bytes may already be stored: the name is the digest, so either copy is the blob.
  await fs.rename(r.tmp, p.blob(r.sha256));
  await syncDir(p.blobsDir);
  await state.update((d) => {
    d.uploads[uploadKey(caller.uid, r.sha256)] = {
      uid: caller.uid,
      sha256: r.sha256,
      sizeBytes: r.sizeBytes,
      expiresAt: new Date(now + UPLOAD_HOLD_MS).toISOString(),
    };
  });
}

/** Whether the caller may name these bytes: it uploaded them recently, or it is root. */
export function mayUse(state: StateStore, caller: Caller, sha256: string, now = Date.now()): boolean {
  if (caller.uid === 0) return true;
  const u = state.uploads[uploadKey(caller.uid, sha256)];
  return u !== undefined && Date.parse(u.expiresAt) > now;
}

/** Upload holds that have lapsed (gc forgets them). */
export const lapsedUploads = (state: StateStore, now = Date.now()) =>
  Object.entries(state.uploads)
    .filter(([, u]) => Date.parse(u.expiresAt) <= now)
    .map(([k]) => k);
