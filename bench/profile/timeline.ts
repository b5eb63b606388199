// When each step of a call runs, relative to the call's start: the medians over the calls of one
// kind. profile() (tree.ts) sums time per step, which hides what runs at once; this shows the
// critical path of a call whose steps overlap (an instance create's `together` steps).
import type { Span } from "./tracer";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Row {
  depth: number;
  path: string;
  name: string;
  starts: number[];
  ends: number[];
}

/** Rows ordered by median start: `start..end (ms)` per step down to `maxDepth`, for the picked roots. */
export function timeline(spans: Span[], root: string, pick: (s: Span) => boolean, maxDepth = 4): string {
  const kids = new Map<number, Span[]>();
  for (const s of spans) {
    const k = kids.get(s.parent);
    if (k) k.push(s);
    else kids.set(s.parent, [s]);
  }
  const roots = spans.filter((s) => s.name === root && s.end > 0 && pick(s));
  const rows = new Map<string, Row>();
  for (const r of roots) {
    const seen = new Set<string>();
    const walk = (s: Span, depth: number, path: string) => {
      for (const c of kids.get(s.id) ?? []) {
        if (c.end <= 0) continue;
        // The same step twice in one call (two execs of one program) keeps its own row.
        let p = `${path}/${c.name}`;
        for (let i = 2; seen.has(p); i++) p = `${path}/${c.name}#${i}`;
        seen.add(p);
        let row = rows.get(p);
        if (!row) rows.set(p, (row = { depth, path: p, name: c.name, starts: [], ends: [] }));
        row.starts.push(c.start - r.start);
        row.ends.push(c.end - r.start);
        if (depth < maxDepth) walk(c, depth + 1, p);
      }
    };
    walk(r, 1, "");
  }
  const ms = median(roots.map((r) => r.end - r.start));
  const lines = [
    `${root}: ${roots.length} calls, median ${ms.toFixed(1)} ms; per step: median start..end from the call's start`,
    `${"step".padEnd(60)} ${"start".padStart(7)} ${"end".padStart(7)} ${"ms".padStart(6)} ${"in".padStart(4)}`,
  ];
  const ordered = [...rows.values()].filter((r) => r.starts.length * 2 >= roots.length);
  // Depth-first, siblings by start: a child stays under its parent.
  const byParent = new Map<string, Row[]>();
  for (const r of ordered) {
    const parent = r.path.slice(0, r.path.lastIndexOf("/"));
    byParent.set(parent, [...(byParent.get(parent) ?? []), r]);
  }
  const emit = (parent: string) => {
    for (const r of (byParent.get(parent) ?? []).sort((a, b) => median(a.starts) - median(b.starts))) {
      const [s, e] = [median(r.starts), median(r.ends)];
      const name = `${"  ".repeat(r.depth - 1)}${r.name}`;
      lines.push(
        `${(name.length > 60 ? name.slice(0, 59) + "…" : name).padEnd(60)} ${s.toFixed(1).padStart(7)} ` +
          `${e.toFixed(1).padStart(7)} ${(e - s).toFixed(1).padStart(6)} ${String(r.starts.length).padStart(4)}`,
      );
      emit(r.path);
    }
  };
  emit("");
  return lines.join("\n");
}
