// What an attack must not change: the host's links, addresses, routes, firewall rules and qvmd's
// state and files, as text that compares equal when nothing changed (no counters, no lifetimes).
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";
import { rootLinksSettled } from "./leaks";

export type HostSnapshot = Record<string, string>;

const out = async (file: string, args: string[]) => (await run(file, args, { reject: false })).stdout;

// IPv6 link-local addresses and their routes come and go with the kernel's duplicate address
// detection on a fresh link, whoever asked for nothing: not what an attack could change.
const withoutLinkLocal = (text: string) =>
  text
    .split("\n")
    .filter((l) => !/fe80::/.test(l))
    .join("\n");

function listFiles(dir: string): string {
  if (!fs.existsSync(dir)) return "";
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const data = e.isFile() ? fs.readFileSync(p) : Buffer.alloc(0);
        lines.push(
          `${path.relative(dir, p)} ${createHash("sha256").update(data).digest("hex").slice(0, 16)}`,
        );
      }
    }
  };
  walk(dir);
  return lines.join("\n");
}

/** The host as an attack could change it; `stateDir` adds qvmd's state and stored files. */
export async function hostSnapshot(stateDir?: string): Promise<HostSnapshot> {
  const snap: HostSnapshot = {
    // A network deleted just before has its host veth torn down by the kernel meanwhile: waited for.
    links: (await rootLinksSettled()).replace(/\s+link\/\S+ \S+ brd \S+/g, ""),
    addresses: withoutLinkLocal(
      (await out("ip", ["-o", "addr", "show"])).replace(/\s+valid_lft \S+ preferred_lft \S+/g, ""),
    ),
    routes: withoutLinkLocal(await out("ip", ["route", "show", "table", "all"])),
    nftables: await out("nft", ["-s", "list", "ruleset"]),
    iptables: (await out("iptables-save", [])).replace(/^#.*$/gm, "").replace(/\[\d+:\d+\]/g, ""),
    netns: await out("ip", ["netns", "list"]),
  };
  if (stateDir) snap.qvmdFiles = listFiles(stateDir);
  return snap;
}

/** Fails naming what differs (the first lines of each differing part). */
export function assertHostUnchanged(before: HostSnapshot, after: HostSnapshot, what: string): void {
  const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
  if (changed.length === 0) return;
  const detail = changed.map((k) => {
    const a = new Set(before[k]!.split("\n"));
    const b = new Set(after[k]!.split("\n"));
    const gone = [...a].filter((l) => !b.has(l)).slice(0, 5);
    const added = [...b].filter((l) => !a.has(l)).slice(0, 5);
    return `${k}: -${JSON.stringify(gone)} +${JSON.stringify(added)}`;
  });
  assert.fail(`${what} changed the host:\n  ${detail.join("\n  ")}`);
}
