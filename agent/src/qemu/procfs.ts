// Reading processes from /proc: how a restarted agent finds its QEMUs again, by their -name.
import * as fs from "node:fs/promises";
import { findByPidFileOrScan, parseCmdline, parseStatState } from "../util/procscan";

export { parseCmdline, parseStatState } from "../util/procscan";

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

/**
 * Pid of the live QEMU whose -name is `name`, if any: the one its pid file names when that still
 * holds, else from a scan of /proc (how a restarted agent, or one whose pid file was lost, finds it).
 */
export async function findQemu(name: string, pidFile?: string): Promise<number | undefined> {
  return findByPidFileOrScan(
    pidFile,
    (comm) => comm.startsWith("qemu-system"),
    (argv) => qemuNameOf(argv) === name,
  )[0];
}
