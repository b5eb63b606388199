// Which processes are ours (QEMU, dnsmasq), by what a local user cannot fake (finding 11). A command
// line is anyone's to write (exec -a, or a process rewriting its own argv), so it only narrows the
// search: a process of ours runs as one of qvmd's sandbox users (no local user can start a process
// as them), from the expected binary, and is pinned by its start time so that a recycled pid is
// never mistaken for it. Pid files live in qvmd's root-only run directory.
//
// The command name (`comm`) is read first: unlike `cmdline` it never waits on the target's memory,
// so a scan costs one small read per process and reads more only for candidates. Sync reads on
// purpose: a few hundred tiny procfs reads take ~1 ms in a row, while the same as promises queue on
// the libuv pool and took 20-50 ms per scan on a busy host (bench/*/PROFILE.md).
import * as fs from "node:fs";
import * as path from "node:path";

export interface ProcInfo {
  pid: number;
  /** Real and effective uid (/proc/<pid>/status). */
  uid: number;
  euid: number;
  /** Start time in clock ticks after boot (/proc/<pid>/stat field 22): with the pid, an identity. */
  startTicks: number;
  state: string;
  /** /proc/<pid>/exe, without the " (deleted)" a replaced binary shows. */
  exe: string;
  argv: string[];
}

/** What identifies a process of ours. */
export interface Expected {
  uid: number;
  /** The kernel's command name (at most 15 characters of the binary's name): the cheap filter. */
  comm: (comm: string) => boolean;
  /** Base names the binary may have (qemu-system-x86_64, dnsmasq). */
  exe: readonly string[];
  /** The command line must also say it is the one we look for. */
  argv: (argv: readonly string[]) => boolean;
}

/** A process of ours as recorded: enough to find it again and to refuse a recycled pid. */
export interface ProcRecord {
  pid: number;
  startTicks: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and ')'. */
export function parseStat(stat: string): { state: string; startTicks: number } | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // f[0] is field 3 (state); field 22 (starttime) is f[19].
  const startTicks = Number(f[19]);
  if (f[0] === undefined || f[0] === "" || !Number.isSafeInteger(startTicks)) return undefined;
  return { state: f[0], startTicks };
}

/** The state letter of /proc/<pid>/stat. */
export function parseStatState(stat: string): string | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  return stat
    .slice(close + 1)
    .trim()
    .split(/\s+/)[0];
}

/** Real and effective uid from /proc/<pid>/status ("Uid: real effective saved fs"). */
export function parseStatusUids(status: string): { uid: number; euid: number } | undefined {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  return m ? { uid: Number(m[1]), euid: Number(m[2]) } : undefined;
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

const isLive = (state: string | undefined) => state !== undefined && state !== "Z" && state !== "X";

/** False for a missing pid and for a zombie (a daemon's corpse waits for init to reap it). */
export function aliveSync(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = read(`/proc/${pid}/stat`);
  return isLive(stat === undefined ? undefined : parseStatState(stat));
}

export function cmdlineSync(pid: number): string[] | undefined {
  const raw = read(`/proc/${pid}/cmdline`);
  return raw === undefined ? undefined : parseCmdline(raw);
}

export function readProcSync(pid: number): ProcInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = read(`/proc/${pid}/stat`);
  const status = read(`/proc/${pid}/status`);
  const argv = cmdlineSync(pid);
  const s = stat === undefined ? undefined : parseStat(stat);
  const u = status === undefined ? undefined : parseStatusUids(status);
  if (!s || !u || !argv) return undefined;
  let exe = "";
  try {
    exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "");
  } catch {
    // A kernel thread or a process gone meanwhile: no binary, so never ours.
  }
  return { pid, ...u, ...s, exe, argv };
}

/** Pure: whether a process is the one expected (alive, uid, binary, command line). */
export function matches(p: ProcInfo, e: Expected): boolean {
  return (
    isLive(p.state) &&
    p.uid === e.uid &&
    p.euid === e.uid &&
    e.exe.includes(path.basename(p.exe)) &&
    e.argv(p.argv)
  );
}

/** Pure: whether a recorded process is still the same one (same pid, same start). */
export const sameProcess = (p: Pick<ProcInfo, "pid" | "startTicks">, r: ProcRecord) =>
  p.pid === r.pid && p.startTicks === r.startTicks;

/** Every live process that is the expected one, other than ourselves. */
export function findProcs(e: Expected): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57 || !/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const c = read(`/proc/${entry}/comm`);
    if (c === undefined || !e.comm(c.trim())) continue;
    const p = readProcSync(pid);
    if (p && matches(p, e)) out.push(p);
  }
  return out;
}

/** The recorded process, if it still runs and is still ours. */
export function checkRecord(r: ProcRecord, e: Expected): ProcInfo | undefined {
  const p = readProcSync(r.pid);
  return p && sameProcess(p, r) && matches(p, e) ? p : undefined;
}

/** A pid file: qvmd's JSON record (pid and start time), or a daemon's plain pid. */
export function readPidFile(file: string): { pid: number; startTicks?: number } | undefined {
  const text = (read(file) ?? "").trim();
  if (text.startsWith("{")) {
    try {
      const v = JSON.parse(text) as Partial<ProcRecord>;
      return Number.isInteger(v.pid) && v.pid! > 1 && Number.isInteger(v.startTicks)
        ? { pid: v.pid!, startTicks: v.startTicks! }
        : undefined;
    } catch {
      return undefined;
    }
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 1 ? { pid } : undefined;
}

/** The pid in a pid file, if it holds one. */
export const pidFromFile = (file: string): number | undefined => readPidFile(file)?.pid;

/**
 * The process a pid file names, when it is still ours (and, for a record, the same process);
 * otherwise every match of a scan. The pid file is the fast path, the scan what a crash falls back on.
 */
export function findByPidFileOrScan(pidFile: string | undefined, e: Expected): ProcInfo[] {
  const rec = pidFile === undefined ? undefined : readPidFile(pidFile);
  if (rec) {
    const p = readProcSync(rec.pid);
    if (p && matches(p, e) && (rec.startTicks === undefined || p.startTicks === rec.startTicks)) return [p];
  }
  return findProcs(e);
}

/**
 * Signals a process only while it is still the recorded one. The check and the signal are not
 * atomic (no pidfd in Node), but a pid is only reused after the process is reaped, and the start
 * time must match at the moment of the check.
 */
export function signalIfSame(r: ProcRecord, e: Expected, sig: NodeJS.Signals): boolean {
  if (!checkRecord(r, e)) return false;
  try {
    process.kill(r.pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}
