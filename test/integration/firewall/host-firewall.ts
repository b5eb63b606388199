// Host-global firewall state for the firewall tests: saved before, restored after (the iptables
// filter table as it was, or absent when it was absent), plus polling with a bounded deadline.
import * as fs from "node:fs/promises";
import { run } from "../../../agent/src/util/exec";
import { parseChain } from "../../../agent/src/firewall/rules";

export class SavedFirewall {
  private filter?: string;
  private saved = false;

  async save(): Promise<void> {
    const exists = await run("nft", ["list", "table", "ip", "filter"], { reject: false });
    this.filter =
      exists.exitCode === 0 ? (await run("iptables-nft-save", ["-t", "filter"])).stdout : undefined;
    this.saved = true;
  }

  /** Puts the iptables-nft filter table back as saved; never leaves FORWARD at a DROP we set. */
  async restore(): Promise<void> {
    if (!this.saved) return;
    if (this.filter !== undefined) await run("iptables-nft-restore", ["-w"], { input: `${this.filter}\n` });
    else await run("nft", ["delete", "table", "ip", "filter"], { reject: false });
  }
}

export async function forwardChain() {
  return parseChain((await run("iptables-nft", ["-w", "-S", "FORWARD"])).stdout);
}

export const nftTableExists = async (family: string, table: string) =>
  (await run("nft", ["list", "table", family, table], { reject: false })).exitCode === 0;

/**
 * Whether the kernel's legacy (x_tables) filter table exists in this namespace: once anything has
 * used it (iptables-legacy, even a --test of iptables-legacy-restore) it stays until reboot when
 * ip_tables is built in, and qvmd then puts its FORWARD rules there too (backends.ts).
 */
export const legacyFilterLoaded = () =>
  fs
    .readFile("/proc/net/ip_tables_names", "utf8")
    .then((t) => t.split("\n").includes("filter"))
    .catch(() => false);

/** Polls `cond` until it holds; fails once `deadlineMs` have passed without it. */
export async function waitFor(what: string, deadlineMs: number, cond: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * These tests change host-global state (`nft flush ruleset`, FORWARD policy DROP) that would break
 * networks of another qvmd running at the same time (another test run, an example): refuse instead.
 */
export async function assertNoOtherNetworks(ours: readonly string[]): Promise<void> {
  const mine = new Set(ours);
  const others: string[] = [];
  const tables = await run("nft", ["list", "tables"], { reject: false });
  for (const m of tables.stdout.matchAll(/table inet qvm_([a-z0-9]+)/g))
    if (!mine.has(m[1]!)) others.push(`nft table inet qvm_${m[1]}`);
  const netns = await run("ip", ["netns", "list"], { reject: false });
  for (const m of netns.stdout.matchAll(/^qvm-([a-z0-9]+)/gm))
    if (!mine.has(m[1]!)) others.push(`netns qvm-${m[1]}`);
  if (others.length > 0)
    throw new Error(
      `other qvm networks exist on this host (${others.join(", ")}); this test changes the host's ` +
        `whole firewall and would break them: run it alone`,
    );
}
