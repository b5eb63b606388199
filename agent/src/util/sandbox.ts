// The unprivileged users qvmd runs its helpers as: QEMU (and qemu-img on guest-writable images) as
// one, dnsmasq as another. Created by `make setup` and by the package's postinst; qvmd refuses to
// start without them rather than run a guest's emulator as root.
import * as fs from "node:fs/promises";
import { assets } from "../assets";
import { run } from "./exec";

export interface Sandbox {
  user: string;
  /** The name of its primary group (dnsmasq takes names only). */
  group: string;
  uid: number;
  gid: number;
  /** Supplementary groups (e.g. kvm, so that /dev/kvm opens when the host allows it). */
  groups: number[];
}

export interface SandboxResources {
  /** TAPs to open (in the current namespace): fds 3, 4, ... in this order. */
  taps?: readonly string[];
  /** Unix sockets to bind and listen on (in a root-only directory): the fds after the TAPs. */
  listen?: readonly string[];
  /** Files of root's to open read-only (no link followed) for the program: the fds after the sockets. */
  read?: readonly string[];
  /**
   * Run detached and return once the program greets on the first `listen` socket (QMP), printing
   * its pid; kill it if that takes longer than this many seconds.
   */
  daemonSeconds?: number;
  /**
   * Open and start nothing until the line "go" arrives on stdin (exit 125 at its end without it):
   * the launcher's own start overlaps the caller's preparation.
   */
  waitGo?: boolean;
}

/** The fd numbers the program will find its resources on. */
export function sandboxFds(r: SandboxResources): { taps: number[]; listen: number[]; read: number[] } {
  const taps = (r.taps ?? []).map((_, i) => 3 + i);
  const listen = (r.listen ?? []).map((_, i) => 3 + taps.length + i);
  const read = (r.read ?? []).map((_, i) => 3 + taps.length + listen.length + i);
  return { taps, listen, read };
}

/** The argv that runs `program` as the sandbox user with `r` handed over. */
export function sandboxArgv(s: Sandbox, program: readonly string[], r: SandboxResources = {}): string[] {
  if (s.uid === 0 || s.gid === 0) throw new Error(`sandbox user ${s.user} must not be root`);
  return [
    "python3",
    assets.sandboxExec,
    "--uid",
    String(s.uid),
    "--gid",
    String(s.gid),
    "--groups",
    s.groups.join(","),
    ...(r.taps ?? []).flatMap((t) => ["--tap", t]),
    ...(r.listen ?? []).flatMap((p) => ["--listen", p]),
    ...(r.read ?? []).flatMap((p) => ["--read", p]),
    ...(r.daemonSeconds !== undefined ? ["--daemon", String(r.daemonSeconds)] : []),
    ...(r.waitGo ? ["--wait-go"] : []),
    "--",
    ...program,
  ];
}

/** Parses one `getent passwd` line. */
export function parsePasswd(line: string): { user: string; uid: number; gid: number } | undefined {
  const f = line.trim().split(":");
  if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return undefined;
  return { user: f[0]!, uid: Number(f[2]), gid: Number(f[3]) };
}

/** Looks a user up through NSS (getent), with its groups (id -G). */
export async function resolveSandbox(user: string): Promise<Sandbox> {
  const pw = await run("getent", ["passwd", user], { reject: false });
  const entry = pw.exitCode === 0 ? parsePasswd(pw.stdout) : undefined;
  if (!entry)
    throw new Error(
      `user ${user} does not exist: qvmd runs QEMU and dnsmasq as unprivileged users of their own ` +
        `(create them with 'make setup', or reinstall the package)`,
    );
  if (entry.uid === 0 || entry.gid === 0) throw new Error(`user ${user} must not have uid or gid 0`);
  const group = (await run("id", ["-gn", user])).stdout.trim();
  const ids = await run("id", ["-G", user]);
  const groups = ids.stdout
    .trim()
    .split(/\s+/)
    .filter((g) => /^\d+$/.test(g))
    .map(Number)
    .filter((g) => g !== 0);
  return { ...entry, group, groups: [...new Set(groups)] };
}

/**
 * Creates (or takes over) a file the sandbox user must write, in a directory only root writes to:
 * no link is followed, and ownership is changed on the open descriptor.
 */
export async function sandboxFile(file: string, s: Sandbox, mode = 0o600, truncate = false): Promise<void> {
  const trunc = truncate ? fs.constants.O_TRUNC : 0;
  const h = await fs.open(
    file,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | trunc,
    mode,
  );
  try {
    if (!(await h.stat()).isFile()) throw new Error(`${file} is not a regular file`);
    await h.chown(s.uid, s.gid);
    await h.chmod(mode);
  } finally {
    await h.close();
  }
}
