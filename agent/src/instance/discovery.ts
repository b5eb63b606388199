// Finding a guest's address without a guest agent: a DHCP lease event (immediate, via the lease
// file watch) or an ARP sighting (arpscan.py in the network's namespace, kernel-filtered), whichever
// comes first. Guests with static addresses are only ever found by ARP.
import { spawn } from "node:child_process";
import { sleep } from "./ready";
import { assets } from "../assets";
import { names } from "../constants";
import { formatCidr, formatIp, maskOf, parseIp } from "@pulumi-qemu/api/validate";
import type { Lease, LeaseWatch } from "../network/leases";
import type { ResolvedNetwork } from "../network/spec";

export const ARPSCAN = assets.arpscan;

/**
 * Where we serve DHCP, a guest's lease is the fast path and answers at once; a sweep there is for a
 * guest that configured its own address, and each one is a python3 start, CPU a restoring clone
 * needs (ten at once are CPU-bound). So sweeps there start this long after the wait does.
 */
export const SWEEP_AFTER_LEASES_MS = 5000;

export interface Sighting {
  mac: string;
  ip: string;
  source: "dhcp" | "arp";
}

/**
 * Where a NIC's address can be learnt: a bridge in some namespace, the address to send ARP from
 * (none: listen only), the range to sweep, and the DHCP leases when we serve them.
 */
export interface Segment {
  ns?: string;
  ifname: string;
  source?: string;
  cidr?: string;
  leases?: LeaseWatch;
}

export const networkSegment = (n: ResolvedNetwork, leases: LeaseWatch): Segment => ({
  ns: names.netns(n.id),
  ifname: names.bridge(n.id),
  source: formatIp(n.dhcpServer),
  cidr: formatCidr(n.cidr),
  leases,
});

export interface HostBridge {
  name: string;
  /** The bridge's own address (a.b.c.d/p), if it has one. */
  address?: string;
}

/** A host bridge in the root namespace: ARP from its address over its subnet, else listen only. */
export function bridgeSegment(b: HostBridge): Segment {
  if (!b.address) return { ifname: b.name };
  const [ip, prefix] = b.address.split("/");
  const net = (parseIp(ip!)! & maskOf(Number(prefix))) >>> 0;
  return { ifname: b.name, source: ip, cidr: `${formatIp(net)}/${prefix}` };
}

/**
 * One ARP sweep of the segment; reports every (mac, ip) heard within `seconds`. Resolves once the
 * sweep's process is gone: after `seconds`, or at once when `stop` aborts (the process is killed).
 */
export function arpSweep(
  seg: Segment,
  seconds: number,
  onSighting: (s: Sighting) => void,
  stop?: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const argv = [
      "python3",
      ARPSCAN,
      seg.ifname,
      seg.source ?? "0.0.0.0",
      seg.cidr ?? "any",
      String(seconds),
    ];
    const [file, ...args] = seg.ns ? ["ip", "netns", "exec", seg.ns, ...argv] : argv;
    const child = spawn(file!, args, { stdio: ["ignore", "pipe", "ignore"] });
    // `ip netns exec` execs the sweep in place (no fork): this pid is the sweep itself.
    const kill = () => child.kill("SIGKILL");
    stop?.addEventListener("abort", kill, { once: true });
    const gone = () => {
      stop?.removeEventListener("abort", kill);
      resolve();
    };
    let buf = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const [mac, ip] = buf.slice(0, i).trim().split(" ");
        buf = buf.slice(i + 1);
        if (mac && ip) onSighting({ mac, ip, source: "arp" });
      }
    });
    child.on("close", gone);
    child.on("error", gone);
  });
}

/**
 * Waits until every MAC in `macs` has an address, `deadline` passes or `cancelled` aborts. Lease
 * events answer at once; ARP sweeps run back to back in the meantime (on a segment with leases,
 * from SWEEP_AFTER_LEASES_MS on). However the wait ends, the sweep still running is killed and
 * reaped before it returns: no process of ours outlives it.
 */
export async function waitForAddresses(
  seg: Segment,
  macs: string[],
  deadline: number,
  known: Map<string, Sighting>,
  cancelled?: AbortSignal,
): Promise<Map<string, Sighting>> {
  const want = new Set(macs.filter((m) => !known.has(m)));
  const now = () => Math.floor(Date.now() / 1000);
  for (const m of [...want]) {
    const l = seg.leases?.get(m);
    if (l && l.expiry > now()) {
      known.set(m, { mac: m, ip: l.ip, source: "dhcp" });
      want.delete(m);
    }
  }
  if (want.size === 0) return known;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const onSighting = (s: Sighting) => {
    if (!want.has(s.mac)) return;
    known.set(s.mac, s);
    want.delete(s.mac);
    if (want.size === 0) done();
  };
  const onLease = (l: Lease) => onSighting({ mac: l.mac, ip: l.ip, source: "dhcp" });
  seg.leases?.on("lease", onLease);
  const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
  const stop = new AbortController();
  cancelled?.addEventListener("abort", done, { once: true });
  let sweeps: Promise<void> | undefined;
  try {
    if (cancelled?.aborted) return known;
    sweeps = (async () => {
      if (seg.leases) await sleep(Math.min(SWEEP_AFTER_LEASES_MS, deadline - Date.now()), stop.signal);
      while (want.size > 0 && Date.now() < deadline && !stop.signal.aborted)
        await arpSweep(
          seg,
          Math.min(3, Math.max(0.5, (deadline - Date.now()) / 1000)),
          onSighting,
          stop.signal,
        );
    })();
    await finished;
  } finally {
    clearTimeout(timer);
    cancelled?.removeEventListener("abort", done);
    seg.leases?.off("lease", onLease);
    stop.abort();
    await sweeps;
  }
  return known;
}
