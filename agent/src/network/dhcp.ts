// The DHCP server of a network: one dnsmasq (DHCP only) inside the network's namespace. It runs as
// its own daemon, not as our child, so restarting qvmd never interrupts leases being served.
//
// dnsmasq starts as root (to bind its raw DHCP socket, open its lease, log and pid files) and drops
// to the DHCP sandbox user at once: a DHCP-parsing bug no longer means root. It reads its hosts file
// again on SIGHUP as that user, so the network's directory and that file are readable by the user's
// group, nothing more. Which process serves a network is decided by its uid (the sandbox user's: no
// local user can start one as them), its binary and its config file (finding 11); a process merely
// named like it is never trusted or signalled.
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import { names, type StatePaths } from "../constants";
import { hostFailure } from "../errors";
import { writeIfChanged } from "../util/atomic";
import { run } from "../util/exec";
import {
  type Expected,
  type ProcRecord,
  checkRecord,
  findByPidFileOrScan,
  signalIfSame,
} from "../util/procscan";
import type { Sandbox } from "../util/sandbox";
import { renderDhcpHosts, renderDnsmasqConf } from "./render";
import type { DhcpHost, ResolvedNetwork } from "./spec";

/** Where a network's DHCP files are and whom dnsmasq runs as. */
export interface DhcpContext {
  p: StatePaths;
  sandbox: Sandbox;
}

const expected = (d: DhcpContext, id: string): Expected => ({
  uid: d.sandbox.uid,
  comm: (c) => c === "dnsmasq",
  exe: ["dnsmasq"],
  argv: (argv) => argv.includes(`--conf-file=${d.p.dnsmasqConf(id)}`),
});

/**
 * The network's dnsmasq: the one its pid file names when that one is ours, else every one of ours
 * for this config (a crash can lose a pid file). No config file means none: the config is written
 * before dnsmasq starts and removed only after it stopped, so a network without DHCP costs no scan.
 */
function findDnsmasq(d: DhcpContext, id: string): ProcRecord[] {
  if (!existsSync(d.p.dnsmasqConf(id))) return [];
  return findByPidFileOrScan(d.p.dnsmasqPid(id), expected(d, id)).map((x) => ({
    pid: x.pid,
    startTicks: x.startTicks,
  }));
}

async function waitGone(r: ProcRecord, e: Expected, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (checkRecord(r, e) && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
  return !checkRecord(r, e);
}

export async function dhcpRunning(d: DhcpContext, id: string): Promise<boolean> {
  return findDnsmasq(d, id).length > 0;
}

async function kill(d: DhcpContext, id: string, running: ProcRecord[]): Promise<void> {
  const e = expected(d, id);
  for (const r of running) {
    signalIfSame(r, e, "SIGTERM");
    if (!(await waitGone(r, e, 3000))) {
      signalIfSame(r, e, "SIGKILL");
      await waitGone(r, e, 2000);
    }
  }
}

/** Stops the network's dnsmasq, then removes its config: what findDnsmasq relies on. */
export async function stopDhcp(d: DhcpContext, id: string): Promise<void> {
  await kill(d, id, findDnsmasq(d, id));
  await fs.rm(d.p.dnsmasqPid(id), { force: true });
  await fs.rm(d.p.dnsmasqConf(id), { force: true });
}

/**
 * Converges the DHCP server to the spec: reservations alone change by SIGHUP (dnsmasq re-reads its
 * hosts file); a change of range or lease time restarts it (leases persist in the lease file).
 */
export async function ensureDhcp(d: DhcpContext, n: ResolvedNetwork, extra: DhcpHost[] = []): Promise<void> {
  if (!n.dhcp.enabled) {
    await stopDhcp(d, n.id);
    return;
  }
  const { p, sandbox } = d;
  // Root's files; the group may read what dnsmasq reads again after dropping root (SIGHUP).
  const readable = { uid: 0, gid: sandbox.gid };
  const hostsChanged = await writeIfChanged(p.dhcpHosts(n.id), renderDhcpHosts(n, extra), 0o640, readable);
  const confChanged = await writeIfChanged(
    p.dnsmasqConf(n.id),
    renderDnsmasqConf(n, p, sandbox),
    0o640,
    readable,
  );
  const running = findDnsmasq(d, n.id);
  if (running.length > 0 && confChanged) {
    await kill(d, n.id, running);
    await fs.rm(p.dnsmasqPid(n.id), { force: true });
  } else if (running.length > 0) {
    const e = expected(d, n.id);
    if (hostsChanged) for (const r of running) signalIfSame(r, e, "SIGHUP");
    return;
  }
  await run("ip", ["netns", "exec", names.netns(n.id), "dnsmasq", `--conf-file=${p.dnsmasqConf(n.id)}`]);
  // dnsmasq returns once its daemon is up (pid file written as root); the daemon drops root as it
  // starts, and is ours only once it has.
  for (let i = 0; i < 100; i++) {
    if (findDnsmasq(d, n.id).length > 0) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw hostFailure(`dnsmasq for network ${n.id} started but is not running as ${sandbox.user}`);
}
