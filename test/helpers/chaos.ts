// What the chaos tests look at: processes found from /proc (as qvmd itself finds them), qvmd's
// state file as written, and waiting for a condition with a reason when it never comes.
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";
import { AGENT_TAG } from "./agent";
import { rootLinksSettled } from "./leaks";

export interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
}

/** Every live process (zombies left out: they are dead, only not yet reaped). */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      if (state === "Z") continue;
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").filter(Boolean);
      out.push({ pid: Number(d), ppid: Number(ppid), comm: stat.slice(stat.indexOf("(") + 1, close), argv });
    } catch {
      // it exited while we looked
    }
  }
  return out;
}

/** Whether `pid` descends from the test qvmd of `stateDir`: another test's processes are not ours to count. */
function taggedFor(pid: number, stateDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${AGENT_TAG}=${stateDir}`);
  } catch {
    return false; // it exited while we looked
  }
}

/** QEMU processes of the qvmd whose state directory is `stateDir`, by instance id. */
export function qemuOf(stateDir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of processes()) {
    if (!p.comm.startsWith("qemu-system")) continue;
    if (!p.argv.some((a) => a.includes(stateDir))) continue;
    const name = p.argv[p.argv.indexOf("-name") + 1] ?? "";
    m.set(name.replace(/^qvm-/, "").split(",")[0]!, p.pid);
  }
  return m;
}

export interface StateFile {
  networks: Record<string, unknown>;
  instances: Record<string, { spec: { nics: Array<{ mac: string }> } }>;
  images: Record<string, unknown>;
  dnsForwarders: Record<string, unknown>;
  bridges: Record<string, unknown>;
}

export function readState(stateDir: string): StateFile {
  const f = path.join(stateDir, "state.json");
  const empty = { networks: {}, instances: {}, images: {}, dnsForwarders: {}, bridges: {} };
  return fs.existsSync(f) ? { ...empty, ...(JSON.parse(fs.readFileSync(f, "utf8")) as StateFile) } : empty;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 120000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Everything of ours on the host, as names only (pids and random names differ between runs that
 * converged to the same place): namespaces, links (root and inside our namespaces), nft tables,
 * QEMU by -name, DHCP servers by network, the DNS forwarder processes, and the files under the
 * state directory (the state file itself and logs left out). `qvmdPid`: that qvmd's own DNS
 * forwarder process is left out (it lives as long as qvmd, whether or not a forwarder is left);
 * any other one, e.g. an orphan of a killed qvmd, is listed.
 */
export async function hostSnapshot(stateDir: string, qvmdPid?: number): Promise<string[]> {
  const out: string[] = [];
  const nets = (await run("ip", ["netns", "list"], { reject: false })).stdout
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith("qv"));
  // The root namespace's once a deleted network's host veth, which the kernel tears down after
  // qvmd's delete returned, is gone (or has stayed 10 s: then it is listed).
  const links = async (ns?: string) =>
    (ns
      ? (await run("ip", ["-n", ns, "-o", "link", "show"], { reject: false })).stdout
      : await rootLinksSettled()
    )
      .split("\n")
      .map((l) => l.split(": ")[1]?.split("@")[0] ?? "")
      .filter((n) => n.startsWith("qv"));
  for (const n of nets) {
    out.push(`netns ${n}`);
    for (const l of await links(n)) out.push(`link ${n}/${l}`);
  }
  for (const l of await links()) out.push(`link ${l}`);
  for (const t of (await run("nft", ["list", "tables"], { reject: false })).stdout.split("\n"))
    if (t.includes("qvm")) out.push(`nft ${t.trim()}`);
  for (const p of processes()) {
    if (p.comm.startsWith("qemu-system") && p.argv.some((a) => a.includes(stateDir)))
      out.push(`qemu ${p.argv[p.argv.indexOf("-name") + 1]}`);
    const conf = p.argv.find((a) => a.startsWith("--conf-file=") && a.includes(stateDir));
    if (p.comm === "dnsmasq" && conf) out.push(`dnsmasq ${path.relative(stateDir, conf.slice(12))}`);
    // The DNS forwarder process (CHILD_TITLE in agent/src/dns/remote.ts): one per qvmd, never two.
    if (
      p.argv.includes("qvmd-dns") &&
      (qvmdPid === undefined || p.ppid !== qvmdPid) &&
      taggedFor(p.pid, stateDir)
    )
      out.push("process qvmd-dns");
  }
  const walk = (dir: string, rel = ""): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (!/^(state\.json|state\.last-good\.json|qvmd\.log)$|\.log$|(^|\/)leases$/.test(r))
        out.push(`file ${r}`);
    }
  };
  walk(stateDir);
  return out.sort();
}
