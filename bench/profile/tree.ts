// Turns the tracer's spans into a per-step profile of one kind of API call: every call of `root`
// is a sample; steps are keyed by their path of span names below it, averaged over the samples.
import type { Span } from "./tracer";

export interface Step {
  depth: number;
  name: string;
  /** Calls of this step per sample. */
  calls: number;
  /** Wall time per sample (ms), children included. */
  ms: number;
  /** Wall time per sample not covered by a traced child (ms). */
  selfMs: number;
}

export interface Profile {
  root: string;
  samples: number;
  /** Mean wall time of one root call (ms). */
  ms: number;
  steps: Step[];
  /** Exec round trips per sample, and their wall time. */
  execs: number;
  execMs: number;
  /** File operations per sample (fs/promises), and their wall time. */
  fsOps: number;
  fsMs: number;
}

interface Node {
  name: string;
  calls: number;
  ms: number;
  selfMs: number;
  kids: Map<string, Node>;
}

const dur = (s: Span) => Math.max(0, s.end - s.start);

/** Covered length of a set of intervals (children may overlap when they run concurrently). */
function covered(iv: Array<[number, number]>): number {
  const xs = [...iv].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [cs, ce] = [-Infinity, -Infinity];
  for (const [s, e] of xs) {
    if (s > ce) {
      if (ce > cs) total += ce - cs;
      [cs, ce] = [s, e];
    } else ce = Math.max(ce, e);
  }
  if (ce > cs) total += ce - cs;
  return total;
}

export function profile(spans: Span[], root: string, pick?: (s: Span) => boolean): Profile {
  const kids = new Map<number, Span[]>();
  for (const s of spans) {
    const k = kids.get(s.parent);
    if (k) k.push(s);
    else kids.set(s.parent, [s]);
  }
  const byId = new Map(spans.map((s) => [s.id, s]));
  const insideRoot = (s: Span) => {
    for (let p = byId.get(s.parent); p; p = byId.get(p.parent)) if (p.name === root) return true;
    return false;
  };
  const roots = spans.filter((s) => s.name === root && s.end > 0 && !insideRoot(s) && (!pick || pick(s)));
  const top: Node = { name: root, calls: 0, ms: 0, selfMs: 0, kids: new Map() };
  let execs = 0;
  let execMs = 0;
  let fsOps = 0;
  let fsMs = 0;
  const add = (node: Node, s: Span) => {
    const ch = (kids.get(s.id) ?? []).filter((c) => c.end > 0);
    node.calls += 1;
    node.ms += dur(s);
    node.selfMs += Math.max(0, dur(s) - covered(ch.map((c) => [c.start, c.end])));
    if (s.name.startsWith("exec ")) {
      execs += 1;
      execMs += dur(s);
    }
    if (s.name.startsWith("fs.")) {
      fsOps += 1;
      fsMs += dur(s);
    }
    for (const c of ch) {
      const key = c.name;
      let k = node.kids.get(key);
      if (!k) node.kids.set(key, (k = { name: key, calls: 0, ms: 0, selfMs: 0, kids: new Map() }));
      add(k, c);
    }
  };
  for (const r of roots) add(top, r);
  const n = Math.max(1, roots.length);
  const steps: Step[] = [];
  const walk = (node: Node, depth: number) => {
    steps.push({ depth, name: node.name, calls: node.calls / n, ms: node.ms / n, selfMs: node.selfMs / n });
    for (const k of [...node.kids.values()].sort((a, b) => b.ms - a.ms)) walk(k, depth + 1);
  };
  walk(top, 0);
  return {
    root,
    samples: roots.length,
    ms: top.ms / n,
    steps,
    execs: execs / n,
    execMs: execMs / n,
    fsOps: fsOps / n,
    fsMs: fsMs / n,
  };
}

/** A fixed-width tree (for a terminal and a markdown code block): one row per step down to `minMs`. */
export function toText(p: Profile, minMs = 0.3): string {
  const lines = [
    `${p.root}: ${p.samples} calls, ${p.ms.toFixed(1)} ms each; ${p.execs.toFixed(1)} exec round trips ` +
      `(${p.execMs.toFixed(1)} ms), ${p.fsOps.toFixed(0)} file ops (${p.fsMs.toFixed(1)} ms)`,
    `${"step".padEnd(64)} ${"calls".padStart(6)} ${"ms".padStart(7)} ${"self".padStart(7)} ${"%".padStart(4)}`,
  ];
  for (const s of p.steps) {
    if (s.ms < minMs && s.depth > 0) continue;
    const name = `${"  ".repeat(s.depth)}${s.name}`;
    lines.push(
      `${(name.length > 64 ? name.slice(0, 63) + "…" : name).padEnd(64)} ${s.calls.toFixed(s.calls % 1 ? 1 : 0).padStart(6)} ` +
        `${s.ms.toFixed(1).padStart(7)} ${s.selfMs.toFixed(1).padStart(7)} ${((100 * s.ms) / p.ms).toFixed(0).padStart(4)}`,
    );
  }
  return lines.join("\n");
}

/** Self time per call of `root` (ms) and calls per call, summed by step name at any depth. */
export function selfByName(
  spans: Span[],
  root: string,
  pick: (s: Span) => boolean,
): Map<string, { ms: number; calls: number }> {
  const kids = new Map<number, Span[]>();
  for (const s of spans) {
    const k = kids.get(s.parent);
    if (k) k.push(s);
    else kids.set(s.parent, [s]);
  }
  const out = new Map<string, { ms: number; calls: number }>();
  const roots = spans.filter((s) => s.name === root && s.end > 0 && pick(s));
  const walk = (s: Span) => {
    const ch = (kids.get(s.id) ?? []).filter((c) => c.end > 0);
    const self = Math.max(0, dur(s) - covered(ch.map((c) => [c.start, c.end])));
    const e = out.get(s.name) ?? { ms: 0, calls: 0 };
    e.ms += self;
    e.calls += 1;
    out.set(s.name, e);
    ch.forEach(walk);
  };
  roots.forEach(walk);
  for (const e of out.values()) {
    e.ms /= Math.max(1, roots.length);
    e.calls /= Math.max(1, roots.length);
  }
  return out;
}
