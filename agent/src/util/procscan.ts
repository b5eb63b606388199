// Finding processes of ours in /proc when no pid file says where they are (a crash lost it). The
// command name (`comm`) is read first: unlike `cmdline` it never waits on the target's memory, so
// the scan costs one small read per process and reads a full command line only for candidates.
// Sync reads on purpose: a few hundred tiny procfs reads take ~1 ms in a row, while the same as
// promises queue on the libuv pool and took 20-50 ms per scan on a busy host (bench/*/PROFILE.md).
import * as fs from "node:fs";

/** The state letter of /proc/<pid>/stat; the command name may itself contain spaces and ')'. */
export function parseStatState(stat: string): string | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  return stat
    .slice(close + 1)
    .trim()
    .split(/\s+/)[0];
}

export function parseCmdline(raw: Buffer | string): string[] {
  const s = typeof raw === "string" ? raw : raw.toString("utf8");
  const parts = s.split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/** False for a missing pid and for a zombie (a daemon's corpse waits for init to reap it). */
export function aliveSync(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = read(`/proc/${pid}/stat`);
  const state = stat === undefined ? undefined : parseStatState(stat);
  return state !== undefined && state !== "Z" && state !== "X";
}

export function cmdlineSync(pid: number): string[] | undefined {
  const raw = read(`/proc/${pid}/cmdline`);
  return raw === undefined ? undefined : parseCmdline(raw);
}

/** The pid in a pid file, if it holds one. */
export function pidFromFile(file: string): number | undefined {
  const pid = Number.parseInt((read(file) ?? "").trim(), 10);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/**
 * Live processes whose `comm` passes `comm` and whose argv passes `argv`, other than ourselves.
 * `comm` is at most 15 characters of the executable's name (`qemu-system-x86` for QEMU).
 */
export function scanProcesses(comm: (c: string) => boolean, argv: (a: string[]) => boolean): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) > 57 || !/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const c = read(`/proc/${e}/comm`);
    if (c === undefined || !comm(c.trim())) continue;
    const a = cmdlineSync(pid);
    if (a && argv(a) && aliveSync(pid)) out.push(pid);
  }
  return out;
}

/**
 * The live process a pid file names, when its argv still passes `argv` (a pid is recycled after
 * its process is gone); otherwise every match of a scan. The pid file is the fast path, the scan
 * what a crash falls back on.
 */
export function findByPidFileOrScan(
  pidFile: string | undefined,
  comm: (c: string) => boolean,
  argv: (a: string[]) => boolean,
): number[] {
  const pid = pidFile === undefined ? undefined : pidFromFile(pidFile);
  if (pid !== undefined && aliveSync(pid)) {
    const a = cmdlineSync(pid);
    if (a && argv(a)) return [pid];
  }
  return scanProcesses(comm, argv);
}
