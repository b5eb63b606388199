// The client half of UploadBlob: a file named file:// is read here, with the caller's own rights,
// and streamed to qvmd, which never opens a path a caller names.
import * as grpc from "@grpc/grpc-js";
import { constants } from "node:fs";
import * as fs from "node:fs/promises";
import { AgentError } from "./errors";
import type * as wire from "./gen";
import { parseSource, uploadRef } from "./validate/source";

/** The most qvmd takes in one message of an upload (UploadChunk.data). */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

export interface UploadOptions {
  /** The digest the bytes must have; qvmd checks it. */
  sha256?: string;
  /** The spec property the file came from, named in errors (source, kernel, initrd). */
  property?: string;
  onProgress?: (done: number, total: number) => void;
}

const unreadable = (property: string, message: string) =>
  new AgentError(grpc.status.INVALID_ARGUMENT, "IMAGE_SOURCE_MISSING", message, { property });

/** Opens a local file as the uploader will, refusing what it would refuse; nothing is sent. */
export async function checkReadable(file: string, property: string): Promise<void> {
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: unknown) => {
    throw unreadable(property, `cannot read ${file}: ${(e as Error).message}`);
  });
  try {
    if (!(await fh.stat()).isFile()) throw unreadable(property, `${file} is not a regular file`);
  } finally {
    await fh.close();
  }
}

/**
 * Streams a local file into `call` (the UploadBlob request stream): header, then chunks, with
 * backpressure. Only regular files: a FIFO or a device is refused rather than read forever. On a
 * failure the caller cancels the call.
 */
export async function streamFile(
  file: string,
  call: grpc.ClientWritableStream<wire.UploadChunk>,
  o: UploadOptions,
): Promise<void> {
  const property = o.property ?? "source";
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: unknown) => {
    throw unreadable(property, `cannot read ${file}: ${(e as Error).message}`);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw unreadable(property, `${file} is not a regular file`);
    // qvmd may answer (refuse) before the last byte: then stop reading at once.
    let answered = false;
    call.once("status", () => (answered = true));
    const write = (chunk: wire.UploadChunk) =>
      new Promise<void>((resolve, reject) => {
        if (answered) return reject(new Error("qvmd ended the upload"));
        if (call.write(chunk)) return resolve();
        const done = () => {
          call.off("drain", done);
          call.off("status", done);
          resolve();
        };
        call.on("drain", done);
        call.on("status", done);
      });
    await write({ header: { size_bytes: st.size, sha256: o.sha256 ?? "", name: file } });
    const buf = Buffer.alloc(UPLOAD_CHUNK_BYTES);
    let done = 0;
    let last = 0;
    while (done < st.size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, st.size - done), done);
      if (bytesRead === 0) throw unreadable(property, `${file} became shorter while it was read`);
      await write({ data: Buffer.from(buf.subarray(0, bytesRead)) });
      done += bytesRead;
      if (o.onProgress && Date.now() - last > 100) {
        last = Date.now();
        o.onProgress(done, st.size);
      }
    }
    o.onProgress?.(done, st.size);
    call.end();
  } finally {
    await fh.close();
  }
}

/** The local path of a file:// source, or undefined for any other source. */
export function localPath(source: string): string | undefined {
  if (source === "") return undefined;
  const u = parseSource(source);
  return typeof u !== "string" && u.protocol === "file:" ? decodeURIComponent(u.pathname) : undefined;
}

export { uploadRef };
