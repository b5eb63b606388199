// Reading the scale bench's trace (bench/profile/tracer.ts spans): which of qvmd's locks a call
// waited for, what the firewall guard did in the background meanwhile, how many updates shared a
// state write. Pure, so unit-tested; and the size of the CLI's checkpoint, read from its file.
import * as fs from "node:fs";
import * as path from "node:path";
import { median } from "../lib/results";
import type { Span } from "../profile/tracer";

/** Spans by parent id. */
export function childrenOf(spans: Span[]): Map<number, Span[]> {
  const kids = new Map<number, Span[]>();
  for (const s of spans) (kids.get(s.parent) ?? kids.set(s.parent, []).get(s.parent)!).push(s);
  return kids;
}

/** Every span below `s` (not `s` itself). */
export function below(kids: Map<number, Span[]>, s: Span): Span[] {
  const out: Span[] = [];
  const walk = (x: Span) => {
    for (const c of kids.get(x.id) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(s);
  return out;
}

/**
 * The waits for qvmd's locks below `root`, by lock name (util/lock.ts; the tracer labels a lock's
 * span "lock <name>" and its hold "held <name>"): per lock taken, wait = hold start - lock start.
 */
export function lockWaits(
  kids: Map<number, Span[]>,
  root: Span,
): Map<string, { wait: number; held: number; n: number }> {
  const out = new Map<string, { wait: number; held: number; n: number }>();
  for (const l of below(kids, root)) {
    if (!l.name.startsWith("lock ") || l.end === 0) continue;
    const h = (kids.get(l.id) ?? []).find((c) => c.name.startsWith("held "));
    const e = out.get(l.name.slice(5)) ?? { wait: 0, held: 0, n: 0 };
    // A lock whose hold never started (the call failed before) waited until the lock span ended.
    e.wait += (h?.start ?? l.end) - l.start;
    e.held += h && h.end > 0 ? h.end - h.start : 0;
    e.n += 1;
    out.set(l.name.slice(5), e);
  }
  return out;
}

/** qvmd's side of each call: its waits for locks (all of them, nested included) and the rest. */
export function qvmdSide(kids: Map<number, Span[]>, calls: Span[]): { wait: number; work: number } {
  const waits: number[] = [];
  const works: number[] = [];
  for (const s of calls) {
    if (s.end === 0) continue;
    // Nested locks are waited for one after the other, so the waits add up.
    const w = [...lockWaits(kids, s).values()].reduce((a, e) => a + e.wait, 0);
    waits.push(w);
    works.push(s.end - s.start - w);
  }
  return { wait: median(waits), work: median(works) };
}

/**
 * The firewall guard's background work (the tracer makes each GuardCore.drain a root) that
 * overlapped [from, to]: its checks and repairs, and how many networks' firewalls the repairs
 * re-applied (Networks.applyFirewall, each one `nft -f`).
 */
export function guardWork(
  spans: Span[],
  kids: Map<number, Span[]>,
  from: number,
  to: number,
): { checks: number; repairs: number; reapplied: number; repairMs: number; execs: number } {
  const r = { checks: 0, repairs: 0, reapplied: 0, repairMs: 0, execs: 0 };
  for (const d of spans) {
    if (d.name !== "GuardCore.drain" || d.start > to || (d.end !== 0 && d.end < from)) continue;
    for (const x of below(kids, d)) {
      if (x.name === "GuardCore.verify") r.checks += 1;
      if (x.name === "GuardCore.repair") {
        r.repairs += 1;
        r.repairMs += Math.max(0, (x.end || to) - x.start);
      }
      if (x.name === "Networks.applyFirewall") r.reapplied += 1;
      if (x.name.startsWith("exec ")) r.execs += 1;
    }
  }
  return r;
}

/**
 * qvmd's state writes that began in [from, to] (StateStore.write: both files, each fsync'd) and
 * the updates that asked for them: with group commit, several updates share one write.
 */
export function stateWrites(
  spans: Span[],
  from: number,
  to: number,
): { updates: number; writes: number; ms: number } {
  const within = (s: Span) => s.start >= from && s.start <= to && s.end > 0;
  const writes = spans.filter((s) => s.name === "StateStore.write" && within(s));
  return {
    updates: spans.filter((s) => s.name === "StateStore.update" && within(s)).length,
    writes: writes.length,
    ms: median(writes.map((s) => s.end - s.start)),
  };
}

/** The size of the file backend's checkpoint of `stack` under `stateDir`. */
export function checkpointBytes(stateDir: string, stack: string): number {
  const dir = path.join(stateDir, "backend", ".pulumi", "stacks");
  const found = fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true }) as string[]).find((f) => path.basename(f) === `${stack}.json`)
    : undefined;
  return found ? fs.statSync(path.join(dir, found)).size : NaN;
}
