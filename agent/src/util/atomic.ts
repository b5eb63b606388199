// Atomic file writes: write a temp file in the same directory, fsync, rename, fsync the directory.
// A crash leaves either the old or the new content, never a torn file; a durable write also
// survives a power loss once it returns.
import * as fsSync from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";

const tempOf = (file: string) => `${path.basename(file)}.tmp-`;

/** Who owns a file we write, when not root: set on the descriptor, before the file appears. */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * `durable: false` for a file that a power loss may lose but a crash must not tear: one under the
 * run directory, which is gone after a reboot anyway (on a real host it is a tmpfs), e.g. a
 * process record, whose reader falls back to a scan. It skips the fsyncs.
 */
export async function writeFileAtomic(
  file: string,
  data: string,
  mode = 0o644,
  owner?: Owner,
  opts: { durable?: boolean } = {},
): Promise<void> {
  await writeFilesAtomic([file], data, mode, owner, opts);
}

/**
 * The same `data` to several files of one directory, each atomically: their temp files are written
 * and fsync'd at once, renamed in the order given, and the directory is fsync'd once for all. One
 * round of fsyncs instead of one per file; a crash leaves each file old or new, never torn.
 */
export async function writeFilesAtomic(
  files: readonly string[],
  data: string,
  mode = 0o644,
  owner?: Owner,
  { durable = true }: { durable?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(files[0]!);
  if (files.some((f) => path.dirname(f) !== dir)) throw new Error(`not one directory: ${files.join(", ")}`);
  await fs.mkdir(dir, { recursive: true });
  const tmps = files.map((f) =>
    path.join(dir, `${tempOf(f)}${process.pid}-${Math.random().toString(36).slice(2)}`),
  );
  try {
    await Promise.all(tmps.map((tmp) => writeTemp(tmp, data, mode, owner, durable)));
    for (const [i, tmp] of tmps.entries()) await fs.rename(tmp, files[i]!);
  } catch (e) {
    // e.g. ENOSPC: no half-written temp file stays behind (a renamed one is gone already).
    await Promise.all(tmps.map((tmp) => fs.rm(tmp, { force: true })));
    throw e;
  }
  if (durable) await syncDir(dir);
}

async function writeTemp(tmp: string, data: string, mode: number, owner: Owner | undefined, sync: boolean) {
  // wx: never through a file or link someone put there first.
  const fh = await fs.open(tmp, "wx", mode);
  try {
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.chmod(mode);
    await fh.writeFile(data);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
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

/**
 * Removes the temp files a process killed inside writeFileAtomic left beside `file`. Only for a
 * caller that is the file's sole writer and has not written it yet (qvmd at start, under its
 * lock): any temp file there is then an orphan, whatever pid its name carries (pids are reused).
 */
export function removeOrphanTemps(file: string): string[] {
  const dir = path.dirname(file);
  const prefix = tempOf(file);
  let names: string[];
  try {
    names = fsSync.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const removed = names.filter((n) => n.startsWith(prefix));
  for (const n of removed) fsSync.rmSync(path.join(dir, n), { force: true });
  return removed;
}
