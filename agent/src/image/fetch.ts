// Fetches a source into a file while hashing it, reporting progress. file:// is streamed from disk,
// http(s):// with the platform fetch; either way the bytes are hashed as they pass, so the digest
// is of exactly what was stored.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { QvmdError } from "../errors";

export interface FetchResult {
  sha256: string;
  bytes: number;
}

export type OnProgress = (done: number, total: number) => void;

async function open(source: URL): Promise<{ stream: Readable; total: number }> {
  if (source.protocol === "file:") {
    const file = decodeURIComponent(source.pathname);
    const st = await fs.stat(file).catch((e: unknown) => {
      throw new QvmdError("invalid", "IMAGE_SOURCE_MISSING", `cannot read ${file}: ${(e as Error).message}`, {
        property: "source",
      });
    });
    if (!st.isFile())
      throw new QvmdError("invalid", "IMAGE_SOURCE_MISSING", `${file} is not a regular file`, {
        property: "source",
      });
    return { stream: createReadStream(file), total: st.size };
  }
  const res = await fetch(source).catch((e: unknown) => {
    throw new QvmdError(
      "precondition",
      "IMAGE_DOWNLOAD_FAILED",
      `GET ${source.href}: ${(e as Error).message}`,
      { property: "source" },
    );
  });
  if (!res.ok || !res.body)
    throw new QvmdError("precondition", "IMAGE_DOWNLOAD_FAILED", `GET ${source.href}: HTTP ${res.status}`, {
      property: "source",
    });
  return {
    stream: Readable.fromWeb(res.body as never),
    total: Number(res.headers.get("content-length") ?? 0),
  };
}

export async function fetchTo(source: URL, dest: string, onProgress: OnProgress): Promise<FetchResult> {
  const { stream, total } = await open(source);
  const hash = createHash("sha256");
  let done = 0;
  let lastReport = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      done += chunk.length;
      // At most ~10 reports per second: progress is for humans.
      if (Date.now() - lastReport > 100) {
        lastReport = Date.now();
        onProgress(done, total);
      }
      cb(null, chunk);
    },
  });
  await pipeline(stream, meter, createWriteStream(dest, { mode: 0o644 }));
  onProgress(done, total);
  return { sha256: hash.digest("hex"), bytes: done };
}
