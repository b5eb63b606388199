// Reading QEMU processes from /proc: liveness, and the -name in a command line. Which process is
// ours is decided in process.ts (uid, binary, start time: util/procscan.ts), never by the command
// line alone.
import * as fs from "node:fs/promises";
import { parseStatState } from "../util/procscan";

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

/** False for a missing pid and for a zombie: a detached QEMU is reaped by init, maybe late. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const state = parseStatState(await fs.readFile(`/proc/${pid}/stat`, "utf8"));
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
