// Notices when another tool flushes or replaces firewall rules (`nft flush ruleset`, `iptables -F`, a
// firewalld reload, Docker restarting) and calls back so qvmd restores its tables at once. Events come
// from a long-running `nft monitor ruleset` (restarted with bounded backoff when it dies); a slow
// periodic `check()` is the backstop for what nft cannot see (iptables-legacy) or a dead monitor.
// See guard-core.ts for how our own changes are kept from looping.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { GuardCore, type GuardCoreOptions, type GuardStatus } from "./guard-core";

export type { GuardStatus } from "./guard-core";

export interface FirewallGuardOptions extends GuardCoreOptions {
  /** False: no `nft monitor`, only the periodic check (hosts where monitoring fails; tests). */
  monitor?: boolean;
}

export interface FirewallGuard {
  /** Stops timers and the monitor; resolves when the monitor is gone and no repair is running. */
  stop(): Promise<void>;
  /** Runs our own nft/iptables changes; the events they cause only lead to a check, never a loop. */
  suppress<T>(fn: () => Promise<T>): Promise<T>;
  status(): GuardStatus;
  /** For repairs made outside `onChange`; the guard records the outcome of `onChange` itself. */
  noteRepair(ok: boolean, error?: string): void;
}

const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 10000;
/** A monitor that ran this long counts as healthy again: the backoff starts over. */
const HEALTHY_AFTER_MS = 10000;
/** After (re)starting, check once: events before nft subscribed, or while it was down, are lost. */
const CHECK_AFTER_SPAWN_MS = 500;

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    const p = path.join(dir, bin);
    if (dir !== "" && existsSync(p)) return p;
  }
  return undefined;
}

class Monitor {
  private child?: ChildProcess;
  private failures = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly core: GuardCore,
    private readonly log: (m: string) => void,
  ) {}

  start(): void {
    // qvmd may die by SIGKILL; the parent-death signal keeps the monitor from outliving it.
    const setpriv = onPath("setpriv");
    const argv = [...(setpriv ? [setpriv, "--pdeathsig", "KILL"] : []), "nft", "monitor", "ruleset"];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const startedAt = Date.now();
    let stderr = "";
    let ended = false;
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-500);
    });
    readline.createInterface({ input: child.stdout! }).on("line", (l) => this.core.line(l));
    child.once("spawn", () => {
      this.core.watching = true;
      this.core.monitorError = undefined;
      const t = setTimeout(() => {
        if (!this.stopped && this.child === child) this.core.requestVerify("monitor");
      }, CHECK_AFTER_SPAWN_MS);
      t.unref();
    });
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      this.core.watching = false;
      if (this.stopped) return;
      this.failures = Date.now() - startedAt >= HEALTHY_AFTER_MS ? 1 : this.failures + 1;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.failures - 1));
      const detail = stderr.trim().split("\n").pop() ?? "";
      this.core.monitorError = `nft monitor ${how}${detail ? `: ${detail}` : ""}; restarting in ${delay} ms`;
      this.log(`firewall: ${this.core.monitorError}`);
      this.timer = setTimeout(() => this.start(), delay);
      this.timer.unref();
    };
    child.once("error", (e) => end(`failed: ${e.message}`));
    child.once("close", (code, signal) => end(`exited (${signal ?? `code ${code}`})`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
    const closed = new Promise((r) => c.once("close", r));
    c.kill("SIGTERM");
    await closed;
  }
}

export function startFirewallGuard(opts: FirewallGuardOptions): FirewallGuard {
  const log = opts.log ?? (() => {});
  const core = new GuardCore({ ...opts, log });
  const monitor = opts.monitor === false ? undefined : new Monitor(core, log);
  core.start();
  monitor?.start();
  return {
    async stop() {
      await Promise.all([core.stop(), monitor?.stop()]);
    },
    suppress: (fn) => core.suppress(fn),
    status: () => core.status(),
    noteRepair: (ok, error) => core.noteRepair(ok, error),
  };
}
