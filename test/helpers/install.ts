// For the install test (test/e2e/install.test.ts): run commands as an unprivileged user, and play
// systemd for qvmd.service where systemd is not running (the unit's own ExecStart and RestartSec).
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";

export const UNIT = "/lib/systemd/system/qvmd.service";

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface User {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Runs argv as `user` (uid and primary gid, no supplementary groups) in a clean environment; with
 * `gid` the process runs with that group instead (a user outside qvmd's group).
 */
export function asUser(
  user: User,
  argv: string[],
  o: {
    cwd: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    gid?: number;
    onStderr?: (text: string) => void;
  },
): Promise<Result> {
  const env: Record<string, string> = {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    TMPDIR: `${user.home}/tmp`,
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    ...o.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd,
      env,
      uid: user.uid,
      gid: o.gid ?? user.gid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      o.onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 600000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The value of `Key=` in the [Service] section of a unit file. */
export function unitValue(unitText: string, key: string): string | undefined {
  const line = unitText.split("\n").find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).trim();
}

/**
 * qvmd started exactly as the installed unit says (ExecStart), restarted as Restart=on-failure
 * would after RestartSec. With `manualRestart`, a test decides when the restart happens.
 */
export class Service {
  proc?: ChildProcess;
  restarts = 0;
  restartDelayMs: number;
  manualRestart = false;
  private stopping = false;
  private readonly argv: string[];
  /** The unit's `Environment=NAME=value` settings (one per line, unquoted values). */
  private readonly env: Record<string, string> = {};

  constructor(
    unitText: string,
    private readonly logFile: string,
  ) {
    const exec = unitValue(unitText, "ExecStart");
    if (!exec) throw new Error(`${UNIT} has no ExecStart`);
    this.argv = exec.split(/\s+/);
    for (const l of unitText.split("\n")) {
      const m = /^Environment=([A-Z_]+)=(.*)$/.exec(l.trim());
      if (m) this.env[m[1]!] = m[2]!;
    }
    this.restartDelayMs = Number(unitValue(unitText, "RestartSec") ?? "0.1") * 1000;
    if (unitValue(unitText, "Restart") !== "on-failure")
      throw new Error(`${UNIT}: expected Restart=on-failure`);
  }

  get executable(): string {
    return this.argv[0]!;
  }

  start(): void {
    const log = fs.openSync(this.logFile, "a");
    const p = spawn(this.argv[0]!, this.argv.slice(1), {
      stdio: ["ignore", log, log],
      env: { ...process.env, ...this.env },
    });
    fs.closeSync(log);
    this.proc = p;
    p.once("exit", (code, signal) => {
      if (this.stopping || this.manualRestart || (code === 0 && !signal)) return;
      setTimeout(() => {
        if (this.stopping) return;
        this.restarts++;
        this.start();
      }, this.restartDelayMs);
    });
  }

  /** The restart Restart=on-failure would do, at a moment the test chooses. */
  restart(): void {
    if (this.pid !== undefined || this.stopping) return;
    this.restarts++;
    this.start();
  }

  get pid(): number | undefined {
    return this.proc?.exitCode === null && this.proc.signalCode === null ? this.proc.pid : undefined;
  }

  /** Like a crash: SIGKILL; the socket file stays behind. */
  async kill9(): Promise<void> {
    const p = this.proc!;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  /** Like `systemctl stop` with KillMode=process: SIGTERM to qvmd only. */
  async stop(): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await exited;
  }
}

/** `dpkg-query` status of a package, or "not-installed". */
export async function packageStatus(name: string): Promise<string> {
  const r = await new Promise<Result>((resolve) => {
    const c = spawn("dpkg-query", ["-W", "-f", "${Status} ${Version}", name], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    c.on("close", (code) => resolve({ code, stdout, stderr: "" }));
  });
  return r.code === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : "not-installed";
}
