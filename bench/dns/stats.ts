// Parsing of dnsperf output and percentiles. Pure, so the bench driver stays small.
export interface Run {
  qps: number;
  completed: number;
  lost: number;
  p50ms: number;
  p99ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Reads `dnsperf -v` output: one "> RCODE name type seconds" line per answered query, then a summary. */
export function parseDnsperf(out: string): Run {
  const latencies: number[] = [];
  let qps = NaN;
  let completed = 0;
  let lost = 0;
  for (const line of out.split("\n")) {
    if (line.startsWith("> ")) {
      const secs = Number(line.slice(line.lastIndexOf(" ") + 1));
      if (Number.isFinite(secs)) latencies.push(secs * 1000);
      continue;
    }
    const m = /^\s*(Queries per second|Queries completed|Queries lost):\s+([\d.]+)/.exec(line);
    if (!m) continue;
    if (m[1] === "Queries per second") qps = Number(m[2]);
    else if (m[1] === "Queries completed") completed = Number(m[2]);
    else lost = Number(m[2]);
  }
  latencies.sort((x, y) => x - y);
  return { qps, completed, lost, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}
