// Benchmark of our DNS forwarder against dnsmasq and unbound, measured in the same run, all on
// loopback, all forwarding to ONE upstream: a dnsmasq answering every *.fwd.bench name itself
// (--address, TTL 0), so the upstream is a fast C server and not the bottleneck, and TTL 0 keeps
// every forwarder from caching. Run: npx tsx bench/dns/run.ts [seconds per case] [runs]
// With several runs, each cell is the median and the spread (min-max) is printed beside it.
import type { ChildProcess } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Cell, parseDnsperf, printTable, type Run } from "./stats";

const SECONDS = Math.min(30, Math.max(1, Number(process.argv[2] ?? 5)));
const RUNS = Math.min(10, Math.max(1, Number(process.argv[3] ?? 1)));
const FIXED_QPS = 2000;
const ZONE = "zone.bench";
const HOSTS = 100;
const FORWARDED_NAMES = 10000;

type Execa = typeof import("execa", { with: { "resolution-mode": "import" } }).execa;
type Peer = "ours" | "previous" | "dnsmasq" | "unbound";
// Ours runs compiled (agent/dist, `make build`): the code that ships, not the sources under tsx.
const OURS = path.join(__dirname, "..", "..", "agent", "dist");
// DNSBENCH_PREVIOUS: another checkout of ours, built, measured in the same runs (before/after).
const PREVIOUS = process.env.DNSBENCH_PREVIOUS && path.join(process.env.DNSBENCH_PREVIOUS, "agent", "dist");
type Case = "local" | "forwarded" | "deadFirst";

const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForAnswer(execa: Execa, port: number, name: string) {
  for (let i = 0; i < 100; i++) {
    const r = await execa(
      "dnsperf",
      ["-s", "127.0.0.1", "-p", String(port), "-d", name, "-n", "1", "-t", "1"],
      {
        reject: false,
      },
    );
    if (/Queries completed:\s+1 /.test(r.stdout)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

function spawn(execa: Execa, file: string, args: string[]) {
  const child = execa(file, args, {
    reject: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
  });
  children.push(child);
  // Not the child itself: execa's result is a thenable, and awaiting it would wait for the exit.
  return { pid: child.pid! };
}

async function startUpstream(execa: Execa, port: number) {
  return spawn(execa, "dnsmasq", [
    "--keep-in-foreground",
    "--no-resolv",
    "--no-hosts",
    "--bind-interfaces",
    "--listen-address=127.0.0.1",
    `--port=${port}`,
    "--address=/fwd.bench/192.0.2.1",
    "--local-ttl=0",
    "--pid-file=",
    "--user=root",
  ]);
}

async function startDnsmasq(execa: Execa, port: number, upstreams: number[]) {
  return spawn(execa, "dnsmasq", [
    "--keep-in-foreground",
    "--no-resolv",
    "--no-hosts",
    "--bind-interfaces",
    "--listen-address=127.0.0.1",
    `--port=${port}`,
    "--cache-size=0",
    "--pid-file=",
    "--user=root",
    `--local=/${ZONE}/`,
    ...upstreams.map((p) => `--server=127.0.0.1#${p}`),
    ...Array.from({ length: HOSTS }, (_, i) => `--host-record=host${i}.${ZONE},10.0.${i >> 8}.${i & 255}`),
  ]);
}

async function startUnbound(execa: Execa, dir: string, port: number, upstreams: number[]) {
  const conf = path.join(dir, `unbound-${port}.conf`);
  fs.writeFileSync(
    conf,
    [
      "server:",
      `  interface: 127.0.0.1@${port}`,
      `  port: ${port}`,
      "  do-ip6: no",
      "  num-threads: 1",
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      '  pidfile: ""',
      "  use-syslog: no",
      '  logfile: ""',
      "  verbosity: 0",
      "  do-not-query-localhost: no",
      '  module-config: "iterator"',
      "  cache-max-ttl: 0",
      "  cache-max-negative-ttl: 0",
      "  prefetch: no",
      "  access-control: 127.0.0.0/8 allow",
      `  local-zone: "${ZONE}." static`,
      ...Array.from(
        { length: HOSTS },
        (_, i) => `  local-data: "host${i}.${ZONE}. 10 IN A 10.0.${i >> 8}.${i & 255}"`,
      ),
      "forward-zone:",
      '  name: "."',
      ...upstreams.map((p) => `  forward-addr: 127.0.0.1@${p}`),
      "",
    ].join("\n"),
  );
  return spawn(execa, "unbound", ["-d", "-c", conf]);
}

async function startOurs(execa: Execa, port: number, upstreams: number[], dist: string) {
  const opts = {
    listen: { address: "127.0.0.1", port },
    upstreams: { kind: "static", servers: upstreams.map((p) => `127.0.0.1:${p}`) },
    allowedSources: ["127.0.0.0/8"],
    // dnsmasq and unbound do not rate-limit by default either; dnsperf is one source.
    rateLimit: false,
    zone: ZONE,
    records: Object.fromEntries(
      Array.from({ length: HOSTS }, (_, i) => [`host${i}`, [`10.0.${i >> 8}.${i & 255}`]]),
    ),
  };
  if (!fs.existsSync(path.join(dist, "dns", "child.js")))
    throw new Error(`${dist} is not built (make build)`);
  const serve = path.join(__dirname, "serve.ts");
  return spawn(execa, process.execPath, ["--import", "tsx", serve, JSON.stringify(opts), dist]);
}

async function dnsperf(
  execa: Execa,
  port: number,
  file: string,
  seconds: number,
  qps?: number,
): Promise<Run> {
  const args = [
    "-s",
    "127.0.0.1",
    "-p",
    String(port),
    "-d",
    file,
    "-l",
    String(seconds),
    "-t",
    "3",
    "-q",
    "100",
    "-v",
  ];
  if (qps) args.push("-Q", String(qps));
  const r = await execa("dnsperf", args, { reject: false, maxBuffer: 512 * 1024 * 1024 });
  return parseDnsperf(r.stdout);
}

/** CPU time (user + system, clock ticks) of a process and all its descendants (ours: the forwarder process). */
function treeTicks(root: number): number {
  const procs = fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        const f = fs.readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ");
        return { pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
      } catch {
        return undefined; // exited meanwhile
      }
    })
    .filter((p) => p !== undefined);
  const mine = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs)
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
  }
  return procs.filter((p) => mine.has(p.pid)).reduce((n, p) => n + p.ticks, 0);
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

async function main() {
  const { execa } = await import("execa");
  for (const tool of ["dnsperf", "dnsmasq", "unbound"]) {
    const which = await execa("which", [tool], { reject: false });
    if (which.exitCode !== 0) throw new Error(`${tool} is not installed (make setup installs it)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dnsbench-"));
  const files = {
    local: path.join(dir, "local.txt"),
    forwarded: path.join(dir, "forwarded.txt"),
    probe: path.join(dir, "probe.txt"),
  };
  fs.writeFileSync(files.local, Array.from({ length: HOSTS }, (_, i) => `host${i}.${ZONE} A\n`).join(""));
  fs.writeFileSync(
    files.forwarded,
    Array.from({ length: FORWARDED_NAMES }, (_, i) => `n${i}.fwd.bench A\n`).join(""),
  );
  fs.writeFileSync(files.probe, "probe.fwd.bench A\n");

  // The blackhole: a bound socket that reads and never answers (no ICMP refusals to give it away).
  const hole = dgram.createSocket("udp4");
  await new Promise<void>((r) => hole.bind(0, "127.0.0.1", r));
  hole.on("message", () => undefined);
  const dead = hole.address().port;

  const upstream = await freePort();
  await startUpstream(execa, upstream);
  await waitForAnswer(execa, upstream, files.probe);

  const all: Peer[] = PREVIOUS ? ["ours", "previous", "dnsmasq", "unbound"] : ["ours", "dnsmasq", "unbound"];
  // DNSBENCH_PEERS=ours,dnsmasq (say): fewer peers, a shorter hold of the shared machine.
  const only = process.env.DNSBENCH_PEERS?.split(",");
  const peers = only ? all.filter((p) => p === "ours" || only.includes(p)) : all;
  const ports = {} as Record<Peer, Record<"normal" | "deadFirst", number>>;
  const pids = {} as Record<Peer, Record<"normal" | "deadFirst", number>>;
  const tick = 1e6 / Number((await execa("getconf", ["CLK_TCK"])).stdout);
  for (const peer of peers) ports[peer] = { normal: await freePort(), deadFirst: await freePort() };
  for (const variant of ["normal", "deadFirst"] as const) {
    const ups = variant === "normal" ? [upstream] : [dead, upstream];
    const start = (peer: Peer) =>
      peer === "ours"
        ? startOurs(execa, ports.ours[variant], ups, OURS)
        : peer === "previous"
          ? startOurs(execa, ports.previous[variant], ups, PREVIOUS!)
          : peer === "dnsmasq"
            ? startDnsmasq(execa, ports.dnsmasq[variant], ups)
            : startUnbound(execa, dir, ports.unbound[variant], ups);
    for (const peer of peers) (pids[peer] ??= { normal: 0, deadFirst: 0 })[variant] = (await start(peer)).pid;
  }
  for (const peer of Object.values(ports))
    for (const p of Object.values(peer)) await waitForAnswer(execa, p, files.probe);

  // DNSBENCH_CASES=forwarded (say): some cases only (e.g. under a CPU profile, cpuprof.ts).
  const cases = (["local", "forwarded", "deadFirst"] as Case[]).filter(
    (c) => !process.env.DNSBENCH_CASES || process.env.DNSBENCH_CASES.split(",").includes(c),
  );
  const results: Record<string, Cell> = {};
  for (let run = 0; run < RUNS; run++)
    for (const c of cases) {
      for (const peer of peers) {
        const port = c === "deadFirst" ? ports[peer].deadFirst : ports[peer].normal;
        const file = c === "local" ? files.local : files.forwarded;
        // A short warm-up lets every forwarder learn that the first upstream is dead, as it would in service.
        await dnsperf(execa, port, file, 1);
        const pid = c === "deadFirst" ? pids[peer].deadFirst : pids[peer].normal;
        const t0 = treeTicks(pid);
        const max = await dnsperf(execa, port, file, SECONDS);
        // CPU per answered query of the serving process(es): what the shared machine cannot blur.
        max.cpuUs = ((treeTicks(pid) - t0) * tick) / Math.max(1, max.completed);
        const fixed = await dnsperf(execa, port, file, SECONDS, FIXED_QPS);
        const cell = (results[`${c}/${peer}`] ??= { max: [], fixed: [] });
        cell.max.push(max);
        cell.fixed.push(fixed);
        console.error(`run ${run + 1}/${RUNS} ${c} ${peer}: ${fmt(max.qps, 0)} qps`);
      }
    }
  printTable(cases, peers, results, FIXED_QPS);
  hole.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

function cleanup() {
  for (const c of children) c.kill("SIGTERM");
}

main()
  .catch((err: unknown) => {
    console.error(err);
    cleanup();
    // The blackhole socket and timers would keep a failed run alive, holding the host lock.
    process.exit(1);
  })
  .finally(cleanup);
