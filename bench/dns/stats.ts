// Parsing of dnsperf output and percentiles. Pure, so the bench driver stays small.
export interface Run {
  qps: number;
  completed: number;
  lost: number;
  p50ms: number;
  p99ms: number;
  /** CPU (user + system) of the serving process(es) per completed query, in microseconds. */
  cpuUs?: number;
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

/** Every run of one case for one forwarder: at full speed and at the fixed rate. */
export interface Cell {
  max: Run[];
  fixed: Run[];
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** "median" for one run, "median (min-max)" for several: the run-to-run spread is part of the figure. */
function spread(xs: number[], digits: number): string {
  const m = fmt(median(xs), digits);
  if (xs.length < 2) return m;
  return `${m} (${fmt(Math.min(...xs), digits)}-${fmt(Math.max(...xs), digits)})`;
}

export function printTable(
  cases: string[],
  peers: string[],
  results: Record<string, Cell>,
  fixedQps: number,
) {
  const rows = [
    [
      "case",
      "forwarder",
      "max qps",
      "p99 ms",
      "CPU us/q",
      "lost",
      `p50 ms @${fixedQps}`,
      `p99 ms @${fixedQps}`,
      "lost",
    ],
  ];
  for (const c of cases)
    for (const peer of peers) {
      const { max, fixed } = results[`${c}/${peer}`]!;
      rows.push([
        c,
        peer,
        spread(
          max.map((r) => r.qps),
          0,
        ),
        spread(
          max.map((r) => r.p99ms),
          2,
        ),
        spread(
          max.map((r) => r.cpuUs ?? NaN),
          1,
        ),
        String(max.reduce((n, r) => n + r.lost, 0)),
        spread(
          fixed.map((r) => r.p50ms),
          3,
        ),
        spread(
          fixed.map((r) => r.p99ms),
          3,
        ),
        String(fixed.reduce((n, r) => n + r.lost, 0)),
      ]);
    }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
  console.log("");
  for (const c of cases) {
    const ours = results[`${c}/ours`]!;
    for (const peer of peers.filter((p) => p !== "ours")) {
      const other = results[`${c}/${peer}`]!;
      // Ratios per run (same conditions), then their median and spread.
      const qps = ours.max.map((r, i) => r.qps / other.max[i]!.qps);
      const p99 = ours.fixed.map((r, i) => r.p99ms / other.fixed[i]!.p99ms);
      const p99max = ours.max.map((r, i) => r.p99ms / other.max[i]!.p99ms);
      const cpu = ours.max.map((r, i) => (r.cpuUs ?? NaN) / (other.max[i]!.cpuUs ?? NaN));
      console.log(
        `${c}: ours/${peer} qps ${spread(qps, 2)}x, p99 ${spread(p99max, 2)}x, ` +
          `p99@${fixedQps} ${spread(p99, 2)}x, CPU/query ${spread(cpu, 2)}x`,
      );
    }
  }
}
