// The DHCP server of a network: one dnsmasq (DHCP only) inside the network's namespace. It runs as
// its own daemon, not as our child, so restarting qvmd never interrupts leases being served.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { names, type StatePaths } from "../constants";
import { hostFailure } from "../errors";
import { run } from "../util/exec";
import { writeIfChanged } from "../util/atomic";
import { renderDhcpHosts, renderDnsmasqConf } from "./render";
import type { Reservation, ResolvedNetwork } from "./spec";

async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** Every dnsmasq whose command line names this network's config: pid files can be lost in a crash. */
async function findDnsmasq(conf: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const argv = cmdline.split("\0");
    if (argv[0]?.endsWith("dnsmasq") && argv.includes(`--conf-file=${conf}`) && (await alive(Number(entry))))
      pids.push(Number(entry));
  }
  return pids;
}

/** Alive and not a zombie: dnsmasq is not our child, so its corpse waits for init to reap it. */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return stat !== "" && state !== "Z";
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while ((await alive(pid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return !(await alive(pid));
}

export async function dhcpRunning(p: StatePaths, id: string): Promise<boolean> {
  return (await findDnsmasq(p.dnsmasqConf(id))).length > 0;
}

export async function stopDhcp(p: StatePaths, id: string): Promise<void> {
  for (const pid of await findDnsmasq(p.dnsmasqConf(id))) {
    process.kill(pid, "SIGTERM");
    if (!(await waitGone(pid, 3000))) {
      process.kill(pid, "SIGKILL");
      await waitGone(pid, 2000);
    }
  }
  await fs.rm(p.dnsmasqPid(id), { force: true });
}

/**
 * Converges the DHCP server to the spec: reservations alone change by SIGHUP (dnsmasq re-reads its
 * hosts file); a change of range or lease time restarts it (leases persist in the lease file).
 */
export async function ensureDhcp(
  p: StatePaths,
  n: ResolvedNetwork,
  extra: Reservation[] = [],
): Promise<void> {
  if (!n.dhcp.enabled) {
    await stopDhcp(p, n.id);
    return;
  }
  const hostsChanged = await writeIfChanged(p.dhcpHosts(n.id), renderDhcpHosts(n, extra));
  const confChanged = await writeIfChanged(p.dnsmasqConf(n.id), renderDnsmasqConf(n, p));
  const running = await findDnsmasq(p.dnsmasqConf(n.id));
  if (running.length > 0 && confChanged) await stopDhcp(p, n.id);
  else if (running.length > 0) {
    if (hostsChanged) for (const pid of running) process.kill(pid, "SIGHUP");
    return;
  }
  await fs.mkdir(path.dirname(p.dnsmasqPid(n.id)), { recursive: true });
  await run("ip", ["netns", "exec", names.netns(n.id), "dnsmasq", `--conf-file=${p.dnsmasqConf(n.id)}`]);
  if (!(await readPid(p.dnsmasqPid(n.id))))
    throw hostFailure(`dnsmasq for network ${n.id} started but wrote no pid file`);
}
