// Thin I/O shell over iproute2, nft and /proc for networks: observe and apply, nothing clever.
import * as fs from "node:fs/promises";
import { existsSync } from "node:fs";
import { names } from "../constants";
import { hostFailure } from "../errors";
import { run } from "../util/exec";
import type { Observed } from "./render";
import type { HostRoute } from "./spec";

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

export const netnsExists = (id: string) => existsSync(`/run/netns/${names.netns(id)}`);

export async function linkExists(name: string, netns?: string): Promise<boolean> {
  const ns = netns ? ["-n", netns] : [];
  const r = await run("ip", [...ns, "link", "show", "dev", name], { reject: false });
  return r.exitCode === 0;
}

export async function observe(id: string): Promise<Observed> {
  const netns = netnsExists(id);
  return {
    netns,
    hostVeth: await linkExists(names.hostVeth(id)),
    bridge: netns && (await linkExists(names.bridge(id), names.netns(id))),
  };
}

export async function nftTableExists(id: string): Promise<boolean> {
  const r = await run("nft", ["list", "table", names.nftFamily, names.nftTable(id)], { reject: false });
  return r.exitCode === 0;
}

export async function addNetns(id: string): Promise<void> {
  if (!netnsExists(id)) await run("ip", ["netns", "add", names.netns(id)]);
}

export async function deleteNetns(id: string): Promise<void> {
  if (netnsExists(id)) await run("ip", ["netns", "delete", names.netns(id)]);
}

export async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const ns = netns ? ["-n", netns] : [];
  await run("ip", [...ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
}

export async function nftApply(script: string): Promise<void> {
  await run("nft", ["-f", "-"], { input: script });
}

export async function nftDeleteTable(id: string): Promise<void> {
  if (await nftTableExists(id)) await run("nft", ["delete", "table", names.nftFamily, names.nftTable(id)]);
}

export async function deleteLink(name: string): Promise<void> {
  // Deleting a namespace destroys its veth pairs asynchronously: the host end may vanish between
  // our check and our delete. Only a link that is still there after a failed delete is an error.
  const r = await run("ip", ["link", "delete", "dev", name], { reject: false });
  if (r.exitCode !== 0 && (await linkExists(name)))
    throw hostFailure(`\`ip link delete dev ${name}\` failed: ${r.stderr.trim()}`);
}

export async function hostRoutes(): Promise<HostRoute[]> {
  const r = await run("ip", ["-j", "-4", "route", "show", "table", "all"]);
  const routes = JSON.parse(r.stdout || "[]") as Array<{
    dst?: string;
    dev?: string;
    table?: string;
    type?: string;
  }>;
  return routes
    .filter((x) => x.dst && x.dst !== "default" && (x.type === undefined || x.type === "unicast"))
    .map((x) => ({ dst: x.dst!, dev: x.dev ?? "?", table: x.table ?? "main" }));
}

export const readIpForward = async () => (await fs.readFile(IP_FORWARD, "utf8")).trim();
export const writeIpForward = (v: string) => fs.writeFile(IP_FORWARD, `${v}\n`);
