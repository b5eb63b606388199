// Directories and files for tests that run QEMU through the library: QEMU runs as the sandbox user,
// so it needs to traverse the test's directory (root's, group sandbox, not writable by it) and to
// own the files it writes, exactly as qvmd lays out an instance's directory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SANDBOX_USERS } from "../../agent/src/constants";
import { type Sandbox, resolveSandbox } from "../../agent/src/util/sandbox";

export const qemuSandbox = (): Promise<Sandbox> => resolveSandbox(SANDBOX_USERS.qemu);

/** A fresh directory root owns, the sandbox's group may enter and read, nobody else. */
export function sandboxDir(prefix: string, s: Sandbox): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chownSync(dir, 0, s.gid);
  fs.chmodSync(dir, 0o750);
  return dir;
}

/** Hands a file QEMU writes (a disk, UEFI vars) to the sandbox user. */
export function giveTo(file: string, s: Sandbox): void {
  fs.chownSync(file, s.uid, s.gid);
  fs.chmodSync(file, 0o600);
}

/** Uid, seccomp mode, no_new_privs and effective capabilities of a process, from /proc. */
export function confinement(pid: number): {
  uid: number;
  seccomp: number;
  noNewPrivs: number;
  capEff: string;
} {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(status)?.[1] ?? "";
  return {
    uid: Number(field("Uid")),
    seccomp: Number(field("Seccomp")),
    noNewPrivs: Number(field("NoNewPrivs")),
    capEff: field("CapEff"),
  };
}
