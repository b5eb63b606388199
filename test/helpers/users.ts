// Real unprivileged users for the attacker suite: a system user named qvx<hex> (so the leak check
// finds any left behind), in a group that may use a test qvmd's socket, and a way to run a qvmd
// client as that user (setpriv: its own uid, primary group and supplementary groups, no
// capabilities), the way a member of qvmd's group would.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";

const CLIENT = path.join(__dirname, "attack-client.ts");

/** What one call made as the user returned: its value, or the typed error qvmd sent. */
export type CallResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: { code: string; grpcCode: number; property?: string; hint?: string; message: string };
    };

export interface Call {
  method: string;
  args: unknown[];
}

function idOf(kind: "-u" | "-g", name: string): Promise<number> {
  return run("id", [kind, name]).then((r) => Number(r.stdout.trim()));
}

export class UnprivilegedUser {
  /** A directory the user owns, for its files and its temp files. */
  readonly home: string;

  private constructor(
    readonly name: string,
    readonly uid: number,
    readonly gid: number,
    readonly groups: string[],
  ) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-home-`));
    fs.chownSync(this.home, uid, gid);
    fs.chmodSync(this.home, 0o700);
  }

  /** Creates a group for qvmd's socket (when `socketGroup` is not given) and a user in it. */
  static async create(socketGroup?: string): Promise<UnprivilegedUser> {
    const name = `qvx${randomBytes(3).toString("hex")}`;
    const group = socketGroup ?? `${name}g`;
    if (!socketGroup) await run("groupadd", ["--system", group]);
    await run("useradd", [
      "--system",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "-U",
      "-G",
      group,
      name,
    ]);
    return new UnprivilegedUser(name, await idOf("-u", name), await idOf("-g", name), [group]);
  }

  /** The gid of the socket group this user was made a member of. */
  socketGid(): Promise<number> {
    return run("getent", ["group", this.groups[0]!]).then((r) => Number(r.stdout.split(":")[2]));
  }

  /**
   * Runs a command as this user, with a plain environment (plus `env`), in its home (or `cwd`);
   * resolves with its exit and output.
   */
  exec(
    argv: string[],
    opts: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(
        "setpriv",
        [`--reuid=${this.uid}`, `--regid=${this.gid}`, "--init-groups", "--inh-caps=-all", "--", ...argv],
        {
          cwd: opts.cwd ?? this.home,
          env: {
            PATH: "/usr/local/bin:/usr/bin:/bin",
            HOME: this.home,
            TMPDIR: this.home,
            LANG: "C.UTF-8",
            ...opts.env,
          },
          stdio: ["ignore", "pipe", "pipe"],
          timeout: opts.timeoutMs ?? 120000,
        },
      );
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      p.on("error", reject);
      p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Makes qvmd calls as this user through the typed client, in one connection, in order. */
  async calls(socket: string, calls: Call[], timeoutMs?: number): Promise<CallResult[]> {
    const r = await this.exec(
      [process.execPath, "--require", require.resolve("tsx/cjs"), CLIENT, socket, JSON.stringify(calls)],
      { timeoutMs },
    );
    const results = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as CallResult);
    if (results.length !== calls.length)
      throw new Error(
        `the client run as ${this.name} answered ${results.length} of ${calls.length} calls (exit ${r.code}):\n${r.stderr}`,
      );
    return results;
  }

  /** One call as this user. */
  async call(socket: string, method: string, ...args: unknown[]): Promise<CallResult> {
    return (await this.calls(socket, [{ method, args }]))[0]!;
  }

  async remove(): Promise<void> {
    await run("userdel", [this.name], { reject: false });
    await run("groupdel", [this.name], { reject: false }); // the user's own group, if -U left it
    if (this.groups[0] === `${this.name}g`) await run("groupdel", [this.groups[0]], { reject: false });
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}
