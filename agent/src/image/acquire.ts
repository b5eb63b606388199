// How an image's bytes reach the store: an upload's digest (the caller's own, checked when kept),
// or a download (the host's fetch, run by manager.ts outside the store's lock: a slow source delays
// only calls on its own image id) into a private part file, named by the digest of what was written.
// Files in qvmd's own state directory only; nothing here reaches the host.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { uploadDigest } from "@pulumi-qemu/api/validate";
import type { StatePaths } from "../constants";
import { QvmdError } from "../errors";
import type { Caller } from "../peer/creds";
import type { StateStore } from "../state";
import { syncDir } from "../util/atomic";
import { mayUse } from "./upload";

/** Bytes for one property of an image: an upload's digest, or a part file awaiting the store. */
export interface Fetched {
  url: URL;
  property: string;
  sha256: string;
  tmp?: string;
}

/**
 * The bytes of an upload named by its digest (`sha256:<hex>`), checked against `expected`; undefined
 * when `url` is not an upload (it is downloaded: partFile, then checked).
 */
export function uploaded(url: URL, property: string, expected: string): Fetched | undefined {
  const sha256 = uploadDigest(url);
  if (sha256 === undefined) return undefined;
  if (expected !== "" && sha256 !== expected)
    throw mismatch(url, expected, "is another upload", `fix sha256 or ${property}`);
  return { url, property, sha256 };
}

/** A private part file for a download, named at random in the downloads directory; noted in `parts`. */
export async function partFile(p: StatePaths, parts: string[]): Promise<string> {
  await fs.mkdir(p.downloadsDir, { recursive: true });
  const tmp = path.join(p.downloadsDir, `${randomBytes(6).toString("hex")}.part`);
  parts.push(tmp);
  return tmp;
}

/** A download into `tmp` whose bytes hash to `sha256`, checked against `expected`. */
export function downloaded(
  url: URL,
  property: string,
  expected: string,
  sha256: string,
  tmp: string,
): Fetched {
  if (expected !== "" && sha256 !== expected)
    throw mismatch(url, expected, `has sha256 ${sha256}`, `fix sha256 or ${property}; nothing was kept`);
  return { url, property, sha256, tmp };
}

const mismatch = (url: URL, expected: string, got: string, hint: string) =>
  new QvmdError("invalid", "IMAGE_SHA256_MISMATCH", `${url.href} ${got}, expected ${expected}`, {
    property: "sha256",
    hint,
  });

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
