// Reading processes from /proc: how a restarted agent finds its QEMUs again, by their -name.
import * as fs from "node:fs/promises";

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

/** The guest name of a QEMU argv: `-name N`, `-name N,opts` or `-name guest=N,opts`. */
export function qemuNameOf(argv: readonly string[]): string | undefined {
  if (!/qemu-system-/.test(argv[0] ?? "")) return undefined;
  const i = argv.indexOf("-name");
  const v = i >= 0 ? argv[i + 1] : undefined;
  if (v === undefined) return undefined;
  // Split at single commas only; ",," is an escaped comma inside the name.
  const first = v.split(/(?<!,),(?!,)/)[0]!.replaceAll(",,", ",");
  return first.startsWith("guest=") ? first.slice("guest=".length) : first;
}

/** False for a missing pid and for a zombie: a daemonized QEMU is reaped by init, maybe late. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const state = parseStatState(await fs.readFile(`/proc/${pid}/stat`, "utf8"));
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function cmdlineOf(pid: number): Promise<string[] | undefined> {
  try {
    return parseCmdline(await fs.readFile(`/proc/${pid}/cmdline`));
  } catch {
    return undefined;
  }
}

/** Pid of the live QEMU whose -name is `name`, if any. */
export async function findQemu(name: string): Promise<number | undefined> {
  const entries = await fs.readdir("/proc");
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const argv = await cmdlineOf(pid);
    if (argv && qemuNameOf(argv) === name && (await isAlive(pid))) return pid;
  }
  return undefined;
}
