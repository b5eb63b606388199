// Which iptables filter FORWARD chains exist on this host. Both kernels' tables can coexist (Docker on
// iptables-legacy next to ufw on iptables-nft), and a DROP in either drops our guests' packets, so
// each one that exists gets our rules. We never create a chain: merely listing a legacy table would
// load iptable_filter and add a hook, so existence is read from nft and /proc instead.
import * as fs from "node:fs/promises";
import { run } from "../util/exec";

export interface Backend {
  /** "iptables-nft" or "iptables-legacy": names the backend in reasons and drift lines. */
  name: string;
  /** The binary that manages it. */
  cmd: string;
}

export interface Detection {
  backends: Backend[];
  /** Why each candidate was not used; the `reason` when no backend is found. */
  skipped: string[];
}

/** Kind of an iptables binary from its `--version` line ("iptables v1.8.9 (nf_tables)"). */
export function versionKind(versionLine: string): "nft" | "legacy" | undefined {
  if (/nf_tables/.test(versionLine)) return "nft";
  if (/legacy/.test(versionLine)) return "legacy";
  // Before 1.8 there was only the legacy backend, and it did not say so.
  if (/^iptables v1\.[0-7]\./.test(versionLine.trim())) return "legacy";
  return undefined;
}

async function binaryFor(kind: "nft" | "legacy"): Promise<string | undefined> {
  for (const cmd of [`iptables-${kind}`, "iptables"]) {
    const r = await run(cmd, ["--version"], { reject: false, timeoutMs: 5000 });
    if (r.exitCode === 0 && versionKind(r.stdout) === kind) return cmd;
  }
  return undefined;
}

async function nftFilterForwardExists(): Promise<boolean> {
  const r = await run("nft", ["list", "chain", "ip", "filter", "FORWARD"], {
    reject: false,
    timeoutMs: 5000,
  });
  return r.exitCode === 0;
}

async function legacyFilterLoaded(): Promise<boolean> {
  const tables = await fs.readFile("/proc/net/ip_tables_names", "utf8").catch(() => "");
  return tables.split("\n").includes("filter");
}

let cache: Promise<Detection> | undefined;

/**
 * The last detection, or a new one: what qvmd's own network changes use, so that a create or delete
 * does not list the FORWARD chains each time. The guard makes it fresh: its check detects anew
 * (forwardAcceptDrift), and a repair forgets it first (another tool just changed the firewall).
 */
export function cachedBackends(): Promise<Detection> {
  return cache ?? detectBackends();
}

export function forgetBackends(): void {
  cache = undefined;
}

/** Detects now, and keeps the answer for cachedBackends(). */
export function detectBackends(): Promise<Detection> {
  const d = detect();
  cache = d;
  d.catch(() => {
    if (cache === d) cache = undefined;
  });
  return d;
}

async function detect(): Promise<Detection> {
  const out: Detection = { backends: [], skipped: [] };
  const candidates = [
    {
      kind: "nft" as const,
      exists: nftFilterForwardExists,
      where: "nft table ip filter has no FORWARD chain",
    },
    { kind: "legacy" as const, exists: legacyFilterLoaded, where: "no legacy iptables filter table" },
  ];
  // Both looked at once: separate tables and programs (the guard's check detects anew after every
  // change another tool makes, e.g. libvirt's, so this is on its path each time).
  const found = await Promise.all(
    candidates.map(async (c) => {
      const exists = await c.exists();
      return { c, exists, cmd: exists ? await binaryFor(c.kind) : undefined };
    }),
  );
  for (const { c, exists, cmd } of found) {
    const name = `iptables-${c.kind}`;
    if (!exists) out.skipped.push(`${name}: ${c.where}`);
    else if (cmd) out.backends.push({ name, cmd });
    else out.skipped.push(`${name}: filter FORWARD chain exists but no ${name} binary to manage it`);
  }
  return out;
}
