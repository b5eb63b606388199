// Starting and stopping daemonized QEMU processes. They are not our children: -daemonize hands
// them to init, so an agent restart leaves them running and findQemu() adopts them again.
import * as fs from "node:fs/promises";
import { QvmdError, hostFailure } from "../errors";
import { run } from "../util/exec";
import { buildQemuArgv, qemuBinary } from "./argv";
import { cmdlineOf, findQemu, isAlive, qemuNameOf } from "./procfs";
import { QmpClient } from "./qmp";
import type { QemuLaunch } from "./types";

export { findQemu, isAlive } from "./procfs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    // Gone between the check and the signal: that is what we wanted.
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The full command, including `ip netns exec` when the VM lives in a namespace. */
export function launchCommand(l: QemuLaunch, netns?: string): { file: string; args: string[] } {
  const qemu = [qemuBinary(l.arch), ...buildQemuArgv(l)];
  return netns
    ? { file: "ip", args: ["netns", "exec", netns, ...qemu] }
    : { file: qemu[0]!, args: qemu.slice(1) };
}

/**
 * Starts QEMU and returns its pid. With -daemonize the command returns once QEMU is initialised
 * (QMP socket listening) or has failed, so its exit status and stderr tell which.
 */
export async function launchQemu(
  l: QemuLaunch,
  opts: { netns?: string; timeoutMs?: number } = {},
): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  const running = await findQemu(l.name, l.pidFile);
  if (running !== undefined)
    throw new QvmdError(
      "precondition",
      "QEMU_ALREADY_RUNNING",
      `QEMU ${l.name} already runs as pid ${running}`,
      {
        hint: "adopt it (findQemu) or stop it first",
      },
    );
  // Leftovers of a killed QEMU would make the pid wait succeed at once and the socket bind fail.
  await fs.rm(l.pidFile, { force: true });
  await fs.rm(l.qmpSocket, { force: true });
  const cmd = launchCommand(l, opts.netns);
  const r = await run(cmd.file, cmd.args, { reject: false, timeoutMs });
  if (r.exitCode !== 0) {
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
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pid = await readPid(l.pidFile);
    if (pid !== undefined && (await isAlive(pid))) return pid;
    if (performance.now() > deadline)
      throw hostFailure(`QEMU ${l.name} started but left no live pid in ${l.pidFile} within ${timeoutMs} ms`);
    await sleep(20);
  }
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
 * `name` guards against a recycled pid: a process with another -name is never signalled.
 */
export async function stopQemu(
  target: { qmpSocket: string; pid: number; name?: string; pidFile?: string },
  opts: { graceMs: number; quitGraceMs?: number; connectTimeoutMs?: number; qmp?: QmpClient },
): Promise<{ how: StopOutcome }> {
  const { pid } = target;
  const quitGraceMs = opts.quitGraceMs ?? 5000;
  const ours = async () => {
    if (!(await isAlive(pid))) return false;
    if (target.name === undefined) return true;
    const argv = await cmdlineOf(pid);
    return argv !== undefined && qemuNameOf(argv) === target.name;
  };
  const done = async (how: StopOutcome) => {
    await fs.rm(target.qmpSocket, { force: true });
    if (target.pidFile) await fs.rm(target.pidFile, { force: true });
    return { how };
  };
  if (!(await ours())) return done("not-running");

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
      if (await ours()) signal(pid, "SIGTERM");
      if (await waitExit(pid, quitGraceMs)) return done("sigterm");
    }
    if (await ours()) signal(pid, "SIGKILL");
    if (!(await waitExit(pid, 5000))) throw hostFailure(`QEMU pid ${pid} survived SIGKILL`);
    return done("sigkill");
  } finally {
    if (owned) qmp?.close();
  }
}
