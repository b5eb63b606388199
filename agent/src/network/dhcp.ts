// The DHCP server of a network: one dnsmasq (DHCP only) inside the network's namespace. It runs as
// its own daemon, not as our child, so restarting qvmd never interrupts leases being served.
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { names, type StatePaths } from "../constants";
import { hostFailure } from "../errors";
import { run } from "../util/exec";
import { writeIfChanged } from "../util/atomic";
import { aliveSync, findByPidFileOrScan, pidFromFile } from "../util/procscan";
import { renderDhcpHosts, renderDnsmasqConf } from "./render";
import type { DhcpHost, ResolvedNetwork } from "./spec";

/**
 * The network's dnsmasq: the one its pid file names when that still runs our config, else every
 * dnsmasq whose command line names this config (a crash can lose a pid file). No config file means
 * none: the config is written before dnsmasq starts and removed only after it stopped, so a network
 * without DHCP costs no /proc scan.
 */
function findDnsmasq(p: StatePaths, id: string): number[] {
  const conf = p.dnsmasqConf(id);
  if (!existsSync(conf)) return [];
  return findByPidFileOrScan(
    p.dnsmasqPid(id),
    (comm) => comm === "dnsmasq",
    (argv) => !!argv[0]?.endsWith("dnsmasq") && argv.includes(`--conf-file=${conf}`),
  );
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (aliveSync(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return !aliveSync(pid);
}

export async function dhcpRunning(p: StatePaths, id: string): Promise<boolean> {
  return findDnsmasq(p, id).length > 0;
}

async function kill(pids: number[]): Promise<void> {
  for (const pid of pids) {
    process.kill(pid, "SIGTERM");
    if (!(await waitGone(pid, 3000))) {
      process.kill(pid, "SIGKILL");
      await waitGone(pid, 2000);
    }
  }
}

/** Stops the network's dnsmasq, then removes its config: what findDnsmasq relies on. */
export async function stopDhcp(p: StatePaths, id: string): Promise<void> {
  await kill(findDnsmasq(p, id));
  await fs.rm(p.dnsmasqPid(id), { force: true });
  await fs.rm(p.dnsmasqConf(id), { force: true });
}

/**
 * Converges the DHCP server to the spec: reservations alone change by SIGHUP (dnsmasq re-reads its
 * hosts file); a change of range or lease time restarts it (leases persist in the lease file).
 */
export async function ensureDhcp(p: StatePaths, n: ResolvedNetwork, extra: DhcpHost[] = []): Promise<void> {
  if (!n.dhcp.enabled) {
    await stopDhcp(p, n.id);
    return;
  }
  const hostsChanged = await writeIfChanged(p.dhcpHosts(n.id), renderDhcpHosts(n, extra));
  const confChanged = await writeIfChanged(p.dnsmasqConf(n.id), renderDnsmasqConf(n, p));
  const running = findDnsmasq(p, n.id);
  if (running.length > 0 && confChanged) {
    await kill(running);
    await fs.rm(p.dnsmasqPid(n.id), { force: true });
  } else if (running.length > 0) {
    if (hostsChanged) for (const pid of running) process.kill(pid, "SIGHUP");
    return;
  }
  await fs.mkdir(path.dirname(p.dnsmasqPid(n.id)), { recursive: true });
  await run("ip", ["netns", "exec", names.netns(n.id), "dnsmasq", `--conf-file=${p.dnsmasqConf(n.id)}`]);
  if (pidFromFile(p.dnsmasqPid(n.id)) === undefined)
    throw hostFailure(`dnsmasq for network ${n.id} started but wrote no pid file`);
}
