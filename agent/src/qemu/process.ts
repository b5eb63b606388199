// Starting and stopping QEMU processes. They run as the sandbox user (never root), detached from
// qvmd: restarting qvmd leaves every VM running, and findQemu() adopts them again.
//
// Which process is a VM's is decided by what no local user can fake: the record qvmd writes in
// its root-only run directory (pid and start time), checked against the process's uid (the
// sandbox user's), its binary and its -name. A process merely named like ours is never adopted,
// reported or signalled.
import * as fs from "node:fs/promises";
import { QvmdError, hostFailure } from "../errors";
import { writeFileAtomic } from "../util/atomic";
import { run, start, type RunResult } from "../util/exec";
import {
  type Expected,
  type ProcRecord,
  checkRecord,
  findByPidFileOrScan,
  readProcSync,
  signalIfSame,
} from "../util/procscan";
import { type Sandbox, sandboxArgv, sandboxFile } from "../util/sandbox";
import { buildQemuArgv, launchResources, qemuBinary } from "./argv";
import { isAlive, qemuNameOf } from "./procfs";
import { QmpClient } from "./qmp";
import type { QemuLaunch } from "./types";

export { isAlive } from "./procfs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Who a VM's process is: its -name, run as `sandbox` from a QEMU binary. */
export interface QemuIdentity {
  name: string;
  sandbox: Pick<Sandbox, "uid">;
  /** qvmd's record of the process. */
  pidFile: string;
}

export const expectedQemu = (id: QemuIdentity): Expected => ({
  uid: id.sandbox.uid,
  comm: (c) => c.startsWith("qemu-system"),
  exe: [qemuBinary("x86_64"), qemuBinary("aarch64")],
  argv: (argv) => qemuNameOf(argv) === id.name,
});

/**
 * The full command: the launcher (in the namespace when the VM lives in one), then QEMU. `waitGo`:
 * the launcher waits for "go" on stdin before it opens or starts anything (startLauncher).
 */
export function launchCommand(
  l: QemuLaunch,
  netns?: string,
  timeoutMs = 30000,
  waitGo = false,
): { file: string; args: string[] } {
  const qemu = [qemuBinary(l.arch), ...buildQemuArgv(l)];
  const argv = sandboxArgv(l.sandbox, qemu, {
    ...launchResources(l),
    daemonSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    waitGo,
  });
  return netns
    ? { file: "ip", args: ["netns", "exec", netns, ...argv] }
    : { file: argv[0]!, args: argv.slice(1) };
}

async function record(id: QemuIdentity, pid: number): Promise<ProcRecord | undefined> {
  const p = readProcSync(pid);
  if (!p) return undefined;
  const r = { pid, startTicks: p.startTicks };
  // Not fsync'd: it lives in the run directory (no QEMU survives the reboot that empties it), it
  // is on the way to every VM's start, and findQemu scans for a VM whose record is missing.
  await writeFileAtomic(id.pidFile, JSON.stringify(r) + "\n", 0o600, undefined, { durable: false });
  return r;
}

/**
 * The pid of the VM's live QEMU, if any: the recorded process while it is still ours; otherwise
 * (a crash between start and record) the one process that is ours by uid, binary and -name, which
 * is then recorded. Two such processes mean something is wrong: that is an error, not a guess.
 */
export async function findQemu(id: QemuIdentity): Promise<number | undefined> {
  const found = findByPidFileOrScan(id.pidFile, expectedQemu(id));
  if (found.length > 1)
    throw hostFailure(
      `several QEMU processes run as ${id.name}: ${found.map((p) => p.pid).join(", ")}`,
      undefined,
      "stop the ones that should not run",
    );
  const p = found[0];
  if (!p) return undefined;
  // Found by a scan (a crash between start and record): recorded now, so the next look is cheap.
  const rec = (await fs.readFile(id.pidFile, "utf8").catch(() => "")).trim();
  if (rec !== JSON.stringify({ pid: p.pid, startTicks: p.startTicks })) await record(id, p.pid);
  return p.pid;
}

/** A launcher started ahead of its QEMU (startLauncher), given to launchQemu. */
export interface EarlyLauncher {
  /** Lets it open what QEMU gets and start QEMU; its outcome. */
  go(timeoutMs: number): Promise<RunResult>;
  /** It exits having opened and started nothing (also what it does when qvmd dies: stdin ends). */
  abort(): void;
}

/**
 * The launcher of `l`'s process, started: it waits, opening and touching nothing, until it is let
 * go. Safe before anything of the VM exists, even before its record (qvmd's death ends its stdin).
 */
export async function spawnLauncher(
  l: QemuLaunch,
  opts: { netns?: string; timeoutMs?: number } = {},
): Promise<EarlyLauncher> {
  const cmd = launchCommand(l, opts.netns, opts.timeoutMs ?? 30000, true);
  const p = await start(cmd.file, cmd.args);
  return { go: (timeoutMs) => p.send("go\n", timeoutMs), abort: () => p.end() };
}

/**
 * Starts the launcher of `l` now (or takes `spawned`, spawnLauncher's of this same launch); it
 * waits, opening nothing, until launchQemu lets it go. The launcher's own start (`ip netns exec`,
 * the Python interpreter) then overlaps the preparation of what QEMU opens (disk, seed), which must
 * exist by the time launchQemu is called.
 */
export async function startLauncher(
  l: QemuLaunch,
  opts: { netns?: string; timeoutMs?: number } = {},
  spawned?: Promise<EarlyLauncher>,
): Promise<EarlyLauncher> {
  const early = await (spawned ?? spawnLauncher(l, opts));
  // Off the way to QEMU's start too: the launch that lets it go checks nothing again.
  await readyToBoot(l).catch((e: unknown) => {
    early.abort();
    throw e;
  });
  return early;
}

/** What holds before a QEMU of `l` starts: none runs, and its serial log is this boot's alone. */
async function readyToBoot(l: QemuLaunch): Promise<void> {
  const running = await findQemu(l);
  if (running !== undefined)
    throw new QvmdError(
      "precondition",
      "QEMU_ALREADY_RUNNING",
      `QEMU ${l.name} already runs as pid ${running}`,
      {
        hint: "adopt it (findQemu) or stop it first",
      },
    );
  // Empty for each boot (QEMU appends to it, see argv.ts): old output must not look like this boot's.
  await fs.rm(l.serialLog, { force: true });
  await sandboxFile(l.serialLog, l.sandbox, 0o600, true);
}

/**
 * Starts QEMU and returns its pid. The launcher returns once QEMU greets on QMP (it is up) or has
 * failed, so its exit status and stderr tell which. `early`: the launcher startLauncher started for
 * this same launch (else one is started now).
 */
export async function launchQemu(
  l: QemuLaunch,
  opts: { netns?: string; timeoutMs?: number; early?: EarlyLauncher } = {},
): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  if (!opts.early) await readyToBoot(l);
  const cmd = launchCommand(l, opts.netns, timeoutMs);
  const r = opts.early
    ? await opts.early.go(timeoutMs + 5000)
    : await run(cmd.file, cmd.args, { reject: false, timeoutMs: timeoutMs + 5000 });
  const pid = Number.parseInt(r.stdout.trim().split("\n").at(-1) ?? "", 10);
  if (r.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
    const detail = (r.stderr || r.stdout).trim().split("\n").slice(-5).join(" | ");
    throw new QvmdError(
      "internal",
      "QEMU_LAUNCH_FAILED",
      `QEMU ${l.name} did not start (exit ${r.exitCode}): ${detail}`,
      {
        cause: r,
      },
    );
  }
  if (!(await record(l, pid)))
    throw hostFailure(`QEMU ${l.name} reported pid ${pid} but is gone`, undefined, `see ${l.serialLog}`);
  return pid;
}

export type StopOutcome = "not-running" | "powerdown" | "quit" | "sigterm" | "sigkill";

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (!(await isAlive(pid))) return true;
    await sleep(50);
  }
  return !(await isAlive(pid));
}

/**
 * Stops a VM: ACPI powerdown (the guest shuts down cleanly), after `graceMs` QMP quit, after
 * `quitGraceMs` SIGKILL. Without a QMP connection (QEMU wedged, or another client holds the socket)
 * SIGTERM stands in for quit. Pass `qmp` when the caller already holds this VM's one QMP connection.
 * Only a process that is this VM's (identity above), pinned by its start time, is ever signalled.
 */
export async function stopQemu(
  target: QemuIdentity & { qmpSocket: string; pid: number },
  opts: { graceMs: number; quitGraceMs?: number; connectTimeoutMs?: number; qmp?: QmpClient },
): Promise<{ how: StopOutcome }> {
  const quitGraceMs = opts.quitGraceMs ?? 5000;
  const expected = expectedQemu(target);
  const done = async (how: StopOutcome) => {
    await fs.rm(target.qmpSocket, { force: true });
    await fs.rm(target.pidFile, { force: true });
    return { how };
  };
  const p = readProcSync(target.pid);
  if (!p || !checkRecord({ pid: p.pid, startTicks: p.startTicks }, expected)) return done("not-running");
  const pinned: ProcRecord = { pid: p.pid, startTicks: p.startTicks };
  const pid = pinned.pid;

  let qmp = opts.qmp;
  const owned = !qmp;
  if (!qmp) {
    qmp = await QmpClient.connect(target.qmpSocket, { timeoutMs: opts.connectTimeoutMs ?? 5000 }).catch(
      () => undefined,
    );
  }
  try {
    if (qmp) {
      // QEMU may exit while we are still talking to it; that is the outcome we want.
      await qmp.powerdown().catch(() => undefined);
      if (await waitExit(pid, opts.graceMs)) return done("powerdown");
      await qmp.quit().catch(() => undefined);
      if (await waitExit(pid, quitGraceMs)) return done("quit");
    } else {
      signalIfSame(pinned, expected, "SIGTERM");
      if (await waitExit(pid, quitGraceMs)) return done("sigterm");
    }
    signalIfSame(pinned, expected, "SIGKILL");
    if (!(await waitExit(pid, 5000))) throw hostFailure(`QEMU pid ${pid} survived SIGKILL`);
    return done("sigkill");
  } finally {
    if (owned) qmp?.close();
  }
}
