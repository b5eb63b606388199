// Atomic file writes: write a temp file in the same directory, fsync, rename, fsync the directory.
// A crash leaves either the old or the new content, never a torn file.
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** Who owns a file we write, when not root: set on the descriptor, before the file appears. */
export interface Owner {
  uid: number;
  gid: number;
}

export async function writeFileAtomic(
  file: string,
  data: string,
  mode = 0o644,
  owner?: Owner,
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  // wx: never through a file or link someone put there first.
  const fh = await fs.open(tmp, "wx", mode);
  try {
    try {
      if (owner) await fh.chown(owner.uid, owner.gid);
      await fh.chmod(mode);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }); // e.g. ENOSPC: no half-written temp file stays behind
    throw e;
  }
  await syncDir(path.dirname(file));
}

/** Makes a rename in `dir` durable: without it, power loss can undo the rename. */
export async function syncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Writes only when the content differs; returns whether it changed. */
export async function writeIfChanged(
  file: string,
  data: string,
  mode = 0o644,
  owner?: Owner,
): Promise<boolean> {
  const old = await fs.readFile(file, "utf8").catch(() => undefined);
  if (old === data) return false;
  await writeFileAtomic(file, data, mode, owner);
  return true;
}
