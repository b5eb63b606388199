// How an image's bytes reach the store: an upload's digest (the caller's own, checked when kept),
// or a download into a private part file, named by the digest of what was written. Downloads run
// outside the store's lock (manager.ts): a slow source delays only calls on its own image id.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { uploadDigest } from "@pulumi-qemu/api/validate";
import type { StatePaths } from "../constants";
import { QvmdError } from "../errors";
import type { Caller } from "../peer/creds";
import type { StateStore } from "../state";
import { syncDir } from "../util/atomic";
import type { OnProgress } from "./fetch";
import type { ImageHost } from "./host";
import { mayUse } from "./upload";

/** Bytes for one property of an image: an upload's digest, or a part file awaiting the store. */
export interface Fetched {
  url: URL;
  property: string;
  sha256: string;
  tmp?: string;
}

/**
 * The bytes behind `url`: an upload's digest (checked when kept, under the store's lock), or a
 * download into a private part file named by the digest of what was written. Runs outside the
 * store's lock: a slow source delays only calls on its own image id.
 */
export async function fetchPart(
  p: StatePaths,
  host: ImageHost,
  url: URL,
  property: string,
  expected: string,
  onProgress: OnProgress,
  parts: string[],
  cancelled?: AbortSignal,
): Promise<Fetched> {
  const uploaded = uploadDigest(url);
  const mismatch = (got: string, hint: string) =>
    new QvmdError("invalid", "IMAGE_SHA256_MISMATCH", `${url.href} ${got}, expected ${expected}`, {
      property: "sha256",
      hint,
    });
  if (uploaded !== undefined) {
    if (expected !== "" && uploaded !== expected)
      throw mismatch("is another upload", `fix sha256 or ${property}`);
    return { url, property, sha256: uploaded };
  }
  await fs.mkdir(p.downloadsDir, { recursive: true });
  const tmp = path.join(p.downloadsDir, `${randomBytes(6).toString("hex")}.part`);
  parts.push(tmp);
  const { sha256 } = await host.fetch(url, tmp, onProgress, property, cancelled);
  if (expected !== "" && sha256 !== expected)
    throw mismatch(`has sha256 ${sha256}`, `fix sha256 or ${property}; nothing was kept`);
  return { url, property, sha256, tmp };
}

/** Makes fetched bytes blobs: uploads checked as the caller's, downloads renamed into the store. */
export async function keepParts(
  p: StatePaths,
  state: StateStore,
  got: Fetched[],
  caller: Caller,
): Promise<void> {
  for (const g of got) {
    if (g.tmp !== undefined) continue;
    const stored = await fs.stat(p.blob(g.sha256)).then(
      () => true,
      () => false,
    );
    if (!stored || !mayUse(state, caller, g.sha256))
      throw new QvmdError(
        "precondition",
        "BLOB_NOT_UPLOADED",
        `${g.url.href} is not an upload of uid ${caller.uid} from the last hour`,
        { property: g.property, hint: "upload the bytes (UploadBlob), then repeat the call" },
      );
  }
  const downloaded = got.filter((g) => g.tmp !== undefined);
  if (downloaded.length === 0) return;
  await fs.mkdir(p.blobsDir, { recursive: true });
  for (const g of downloaded) await fs.rename(g.tmp!, p.blob(g.sha256));
  await syncDir(p.blobsDir);
}
