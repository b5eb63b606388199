// The NoCloud seed: an ISO 9660 volume labelled `cidata` holding user-data, meta-data and
// optionally network-config, which cloud-init finds by its label.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { QvmdError } from "../errors";
import { temp } from "../constants";
import { buildIso, IsoError, type IsoFile } from "./iso9660";

export * from "./seed-render";

export const SEED_LABEL = "cidata";

/** The image itself, in memory: what buildSeedIso writes and scripts/guest/tools/seed-iso.ts prints. */
export function seedImage(
  files: { userData: string; metaData: string; networkConfig?: string },
  date?: Date,
): Buffer {
  const entries: IsoFile[] = [
    { name: "user-data", data: Buffer.from(files.userData) },
    { name: "meta-data", data: Buffer.from(files.metaData) },
  ];
  if (files.networkConfig !== undefined)
    entries.push({ name: "network-config", data: Buffer.from(files.networkConfig) });
  try {
    return buildIso({ volumeId: SEED_LABEL, files: entries, date });
  } catch (e) {
    if (e instanceof IsoError)
      throw new QvmdError("internal", "INTERNAL", `seed: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Builds the seed next to `outPath` and renames it into place, so a reader never sees half an ISO. */
export async function buildSeedIso(
  outPath: string,
  files: { userData: string; metaData: string; networkConfig?: string },
): Promise<void> {
  const image = seedImage(files);
  // A crash while a seed was being written left its temporary file (ours by its prefix, in a
  // directory only root writes to): gone before the next is made, so a retry converges.
  const parent = path.dirname(outPath);
  for (const e of await fs.readdir(parent).catch(() => [] as string[]))
    if (e.startsWith(temp.seedDir)) await fs.rm(path.join(parent, e), { recursive: true, force: true });
  const tmp = path.join(parent, `${temp.seedDir}${randomBytes(6).toString("hex")}.iso`);
  try {
    // wx: never write through a file (or link) someone else put there.
    await fs.writeFile(tmp, image, { flag: "wx", mode: 0o600 });
    await fs.rename(tmp, outPath);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
