// Readiness beyond an address, seen from outside the guest (no guest agent): cloud-init's final
// message on the serial console, or an SSH banner on port 22. The waits only read: the serial log
// is qvmd's own file, and the probe is one TCP connection from the host to the guest's address.
import * as fs from "node:fs/promises";
import * as net from "node:net";
import { QvmdError, callCancelled } from "../errors";

/**
 * cloud-init's default `final_message` ("Cloud-init v. 22.4.2 finished at <date>. Datasource ...")
 * goes to the console once every module of the boot has run; the test guest prints the same line
 * after its runcmd. A user-data that overrides final_message must keep this prefix.
 */
export const CLOUD_INIT_DONE = /(^|\n)Cloud-init v\. \S+ finished at /;

/** Pure: has this (possibly partial) serial text reached cloud-init's final message? */
export const cloudInitFinished = (serial: string) => CLOUD_INIT_DONE.test(serial.replace(/\r/g, ""));

const POLL_MS = 100;
/**
 * Between two SSH probes. A probe starts at the lease, often before the guest has put the address
 * on its NIC (its DHCP script runs under TCG); its SYN then waits in the host's ARP queue and goes
 * out when the guest announces the address. A probe that fails at once (refused, unreachable) is
 * retried this soon; each costs one connect() of the host's.
 */
export const SSH_RETRY_MS = 50;

/** Resolves after `ms`, or at once when `stop` aborts (its timer cleared: nothing keeps running). */
export function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    if (stop?.aborted) return r();
    const done = () => {
      clearTimeout(t);
      stop?.removeEventListener("abort", done);
      r();
    };
    const t = setTimeout(done, ms);
    stop?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Polls the serial log from where it last read (a log can be large) until `done` holds for what
 * was read, keeping a short carry-over so a line split across two reads still matches.
 */
export async function waitForSerial(
  serialLog: string,
  done: (text: string) => boolean,
  deadline: number,
  cancelled?: AbortSignal,
): Promise<boolean> {
  let offset = 0;
  let carry = "";
  for (;;) {
    const fh = await fs.open(serialLog, "r").catch(() => undefined);
    if (fh) {
      try {
        // qvmd cuts a log over its cap to its newest half (util/logcap.ts): read the kept part again.
        if ((await fh.stat()).size < offset) [offset, carry] = [0, ""];
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const text = carry + buf.subarray(0, bytesRead).toString("latin1");
          if (done(text)) return true;
          carry = text.slice(-256);
        }
      } finally {
        await fh.close();
      }
    }
    if (Date.now() >= deadline || cancelled?.aborted) return false;
    await sleep(POLL_MS, cancelled);
  }
}

/**
 * One attempt: connect, read the first bytes, true when they are an SSH identification string.
 * However it ends (banner, error, timeout, `stop`), the socket is destroyed before it resolves.
 */
export function bannerOnce(
  ip: string,
  port: number,
  timeoutMs: number,
  stop?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve(false);
    const s = net.connect({ host: ip, port });
    let got = "";
    let settled = false;
    const onStop = () => finish(false);
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      stop?.removeEventListener("abort", onStop);
      s.destroy();
      resolve(ok);
    };
    stop?.addEventListener("abort", onStop, { once: true });
    s.setTimeout(timeoutMs, () => finish(false));
    s.on("error", () => finish(false));
    s.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (got.length >= 4) finish(got.startsWith("SSH-"));
    });
    s.on("end", () => finish(false));
  });
}

/**
 * Retries until port 22 (or `port`) answers with an SSH banner, the deadline passes or `cancelled`
 * aborts; one probe at a time, its socket gone before the next starts or this returns.
 */
export async function waitForSshBanner(
  ip: string,
  deadline: number,
  port = 22,
  cancelled?: AbortSignal,
): Promise<boolean> {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || cancelled?.aborted) return false;
    if (await bannerOnce(ip, port, Math.min(2000, left), cancelled)) return true;
    await sleep(Math.min(SSH_RETRY_MS, Math.max(0, deadline - Date.now())), cancelled);
  }
}

/** An Apply's SSH wait started before its awaitReady step, and what ends it. */
export interface EarlySsh {
  probes?: AbortController;
  /** The caller went away: this wait and every other end (CALL_CANCELLED). */
  cancelled?: AbortSignal;
  ssh?: { ip: string; answered: Promise<boolean> };
}

/**
 * waitFor ssh: the SSH wait starts at the first NIC's lease (`onLease`), while its address is still
 * being recorded and published; awaitReady takes it over (the same deadline). Ended by endProbes.
 */
export function sshAtLease(
  run: EarlySsh,
  probe: (ip: string, deadline: number, stop?: AbortSignal) => Promise<boolean>,
  deadline: number,
): (ip: string) => void {
  const stop = (run.probes ??= new AbortController()).signal;
  const signal = run.cancelled ? AbortSignal.any([stop, run.cancelled]) : stop;
  return (ip) => void (run.ssh ??= { ip, answered: probe(ip, deadline, signal) });
}

/** However the Apply ended: an early SSH wait still running is stopped, its socket closed. */
export async function endProbes(run: EarlySsh): Promise<void> {
  run.probes?.abort();
  await run.ssh?.answered;
}

/** What awaitReady needs: the host's two probes, and how to describe a failure. */
export interface ReadyWait {
  id: string;
  waitFor: "cloudInit" | "ssh";
  seconds: number;
  deadline: number;
  serialLog: string;
  /** The first NIC's address once addresses were awaited ("" when unknown). */
  firstIp: () => Promise<string>;
  alive: () => Promise<boolean>;
  /** The serial log's last lines (read bounded: a guest can make it huge). */
  tail: () => Promise<string>;
  probes: {
    cloudInitFinished(serialLog: string, deadline: number, cancelled?: AbortSignal): Promise<boolean>;
    sshAnswers(ip: string, deadline: number, cancelled?: AbortSignal): Promise<boolean>;
  };
  progress: (m: string) => void;
  /** The caller went away: the wait ends at once (CALL_CANCELLED). */
  cancelled?: AbortSignal;
}

/** Waits for the guest's own signal; INSTANCE_NOT_READY (quoting the serial log) when it never comes. */
export async function awaitReady(w: ReadyWait): Promise<void> {
  const started = Date.now();
  let ok: boolean;
  let what: string;
  if (w.waitFor === "cloudInit") {
    what = "cloud-init's final message on the serial console";
    w.progress("waiting for cloud-init to finish (user-data)");
    ok = await w.probes.cloudInitFinished(w.serialLog, w.deadline, w.cancelled);
  } else {
    const ip = await w.firstIp();
    what = `an SSH banner from ${ip || "its first address"}:22`;
    w.progress(`waiting for SSH on ${ip}:22`);
    ok = ip !== "" && (await w.probes.sshAnswers(ip, w.deadline, w.cancelled));
  }
  if (w.cancelled?.aborted) throw callCancelled(`instance ${w.id}: waiting for ${what}`);
  if (ok) {
    w.progress(`ready (${w.waitFor}) after ${((Date.now() - started) / 1000).toFixed(1)}s more`);
    return;
  }
  const tail = await w.tail();
  throw new QvmdError(
    "precondition",
    "INSTANCE_NOT_READY",
    `instance ${w.id}: not ready (waitFor ${w.waitFor}): no ${what} within ${w.seconds}s` +
      `${(await w.alive()) ? " (the VM is running)" : " (the VM is not running)"}; serial log tail:\n${tail}`,
    { property: "waitFor", hint: `full serial log: ${w.serialLog}` },
  );
}
