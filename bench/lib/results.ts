// One row of `make bench`'s table. Each bench prints its own report and, when $BENCH_RESULTS names
// a file, appends its rows there as JSON lines; bench/all.ts collects them into one table.
import * as fs from "node:fs";

export interface Row {
  /** What is measured, e.g. "network create (NAT, no DHCP)". */
  figure: string;
  /** The bench directory that measured it. */
  bench: string;
  ours: number;
  /** The peer or floor measured in the same run; undefined for absolute figures (memory). */
  peer?: number;
  /** Who the peer is: "libvirt 9.0", "raw ip/nft floor", "dnsmasq", ... */
  peerName: string;
  unit: string;
  /** "lower" for times and sizes, "higher" for throughput. */
  better: "lower" | "higher";
  /** The goal, in words as the issue states it, e.g. "<= 1.5x". */
  goal: string;
  /** Goal threshold on the ratio ours/peer (or on `ours` itself when there is no peer). */
  limit: number;
  note?: string;
}

export function record(row: Row): void {
  const f = process.env.BENCH_RESULTS;
  if (f) fs.appendFileSync(f, JSON.stringify(row) + "\n");
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Milliseconds since `t` (a process.hrtime.bigint()). */
export const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

export async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await f();
  into.push(since(t));
  return r;
}
