// Does a DNS flood slow qvmd's API? Starts a real qvmd (the built agent, or QVMD_MAIN for another
// build, e.g. one from before the forwarder had its own process), one network with its forwarder,
// and measures the Health RPC's latency while idle and while dnsperf floods the forwarder from the
// gateway address at a fixed offered rate (qvmd's defaults apply, as to a guest: rate limit 200 qps
// per source; the excess is answered TC now, and was dropped before).
// Run as root, under the host lock: npx tsx bench/dns/health.ts [seconds]
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect } from "@pulumi-qemu/api";
import { run } from "../../agent/src/util/exec";
import { percentile } from "./stats";

const SECONDS = Math.min(30, Math.max(2, Number(process.argv[2] ?? 8)));
const MAIN = process.env.QVMD_MAIN ?? path.resolve(__dirname, "..", "..", "agent", "dist", "main.js");
const NET = { id: "qvb1", cidr: "10.238.9.0/24" };
const GATEWAY = "10.238.9.1";
const FLOOD_QPS = Number(process.env.FLOOD_QPS ?? 20000);

async function healthLatencies(client: ReturnType<typeof connect>, ms: number): Promise<number[]> {
  const out: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const t = performance.now();
    await client.health(5000);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out.sort((a, b) => a - b);
}

/** CPU ticks (user + system) of one process; 0 once it is gone. */
function cpuTicks(pid: number): number {
  const own = (p: number) => {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  return own(pid);
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((x) => x !== "")
      .map(Number);
  } catch {
    return [];
  }
}

const summary = (l: number[]) =>
  `n=${l.length} p50=${percentile(l, 50).toFixed(2)} ms p99=${percentile(l, 99).toFixed(2)} ms max=${l[l.length - 1]!.toFixed(2)} ms`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-dnshealth-"));
  const socket = path.join(dir, "run", "qvmd.sock");
  const children: ChildProcess[] = [];
  const names = path.join(dir, "names.txt");
  fs.writeFileSync(names, "api.dev.internal A\nnope.dev.internal A\nx.fwd.bench A\n");
  const up = spawn("dnsmasq", [
    "--keep-in-foreground",
    "--no-resolv",
    "--no-hosts",
    "--bind-interfaces",
    "--listen-address=127.0.0.1",
    "--port=5399",
    "--address=/fwd.bench/192.0.2.1",
    "--pid-file=",
    "--user=root",
  ]);
  children.push(up);
  const qvmd = spawn(
    process.execPath,
    [MAIN, "--socket", socket, "--state-dir", `${dir}/state`, "--run-dir", `${dir}/run`],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  children.push(qvmd);
  const client = connect(socket, 30000);
  try {
    for (let i = 0; ; i++) {
      try {
        await client.health(500);
        break;
      } catch (e) {
        if (i > 200) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await client.applyNetwork({ id: NET.id, cidr: NET.cidr, nat: true, dhcp: { enabled: true } });
    await client.applyDnsForwarder({
      id: "qvb1",
      network_id: NET.id,
      zone: "dev.internal",
      upstreams: ["127.0.0.1:5399"],
      records: [{ name: "api", addresses: ["10.238.9.50"] }],
    });
    const qvmdPid = qvmd.pid!;
    const dnsPids = childrenOf(qvmdPid).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("qvmd-dns");
      } catch {
        return false;
      }
    });
    const ticks = () => [cpuTicks(qvmdPid), dnsPids.reduce((n, p) => n + cpuTicks(p), 0)];
    const t0 = ticks();
    const idle = await healthLatencies(client, SECONDS * 1000);
    const t1 = ticks();
    // Open loop at a fixed offered rate (up to FLOOD_QPS outstanding, 1 s timeout): the same load
    // reaches the forwarder whether it answers (TC over its limit) or drops (the old behaviour).
    const args = ["-s", GATEWAY, "-a", GATEWAY, "-p", "53", "-d", names, "-l", String(SECONDS + 1)];
    const flood = run("dnsperf", [...args, "-Q", String(FLOOD_QPS), "-q", String(FLOOD_QPS), "-t", "1"], {
      reject: false,
    });
    await new Promise((r) => setTimeout(r, 500));
    const t1b = ticks();
    const loaded = await healthLatencies(client, SECONDS * 1000);
    const t2 = ticks();
    const out = (await flood).stdout;
    const sent = /Queries sent:\s+(\d+)/.exec(out)?.[1] ?? "?";
    const qps = /Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? "?";
    console.log(`qvmd: ${MAIN}`);
    console.log(`Health idle:            ${summary(idle)}`);
    console.log(`Health under DNS flood: ${summary(loaded)}`);
    console.log(`flood: ${sent} queries sent, ${FLOOD_QPS} qps offered, ${qps} qps answered`);
    // Ticks are 1/100 s: over N s, ticks/N is the percentage of one CPU.
    const pct = (a: number, b: number) => `${((b - a) / SECONDS).toFixed(0)}%`;
    console.log(
      `CPU of qvmd idle ${pct(t0[0]!, t1[0]!)}, under flood ${pct(t1b[0]!, t2[0]!)}; ` +
        `of its forwarder process (${dnsPids.join(",") || "none"}) idle ${pct(t0[1]!, t1[1]!)}, under flood ${pct(t1b[1]!, t2[1]!)}`,
    );
  } finally {
    await client.deleteDnsForwarder("qvb1").catch(() => undefined);
    await client.deleteNetwork(NET.id).catch(() => undefined);
    client.close();
    for (const c of children) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
