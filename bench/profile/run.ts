// Where the time of network create/delete and instance create goes, per step: runs a qvmd with
// bench/profile/tracer.ts preloaded, drives it through its API, and prints one profile per call
// kind (markdown), beside the raw floor measured step by step in the same run.
// Usage: tsx bench/profile/run.ts [N] [--out FILE]   (root; boots N tiny guests under TCG)
import * as fs from "node:fs";
import * as os from "node:os";
import { names } from "../../agent/src/constants";
import { renderNftTable, renderNsBatch, renderRootBatch } from "../../agent/src/network/render";
import { resolveNetwork } from "../../agent/src/network/spec";
import { run } from "../../agent/src/util/exec";
import { guestImage } from "../../test/helpers/guest";
import type { Span } from "./tracer";
import { tracedAgent } from "./traced";
import { timeline } from "./timeline";
import { profile, toText } from "./tree";

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const outFile = outAt >= 0 ? args[outAt + 1] : undefined;
const N = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--out") ?? 10);
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const spec = (id: string, i: number, dhcp: boolean) => ({
  id,
  cidr: `10.${dhcp ? 211 : 210}.${i}.0/24`,
  nat: true,
  dhcp: { enabled: dhcp },
});

async function timed<T>(into: number[], f: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await f();
  into.push(ms(t));
  return r;
}

/** The floor, step by step: the same kernel work as a network create, without the agent. */
async function floor(): Promise<string[]> {
  const steps: Record<string, number[]> = {
    "ip netns add": [],
    "ip -batch (root: veth, address)": [],
    "ip -n ns -batch (bridge, addresses, route)": [],
    "nft -f (table)": [],
    "nft delete table": [],
    "ip netns delete": [],
  };
  const k = Object.keys(steps);
  for (let i = 0; i < N; i++) {
    const n = resolveNetwork(spec(`qpf${i}`, i, false)).network!;
    // The floor makes the namespace with its own `ip netns add`: the batches then find it there.
    const none = { netns: true, hostVeth: false, bridge: false };
    await timed(steps[k[0]!]!, () => run("ip", ["netns", "add", names.netns(n.id)]));
    await timed(steps[k[1]!]!, () =>
      run("ip", ["-batch", "-"], { input: renderRootBatch(n, none).join("\n") + "\n" }),
    );
    await timed(steps[k[2]!]!, () =>
      run("ip", ["-n", names.netns(n.id), "-batch", "-"], {
        input: renderNsBatch(n, none).join("\n") + "\n",
      }),
    );
    await timed(steps[k[3]!]!, () => run("nft", ["-f", "-"], { input: renderNftTable(n) }));
  }
  for (let i = 0; i < N; i++) {
    await timed(steps[k[4]!]!, () => run("nft", ["delete", "table", "inet", names.nftTable(`qpf${i}`)]));
    await timed(steps[k[5]!]!, () => run("ip", ["netns", "delete", names.netns(`qpf${i}`)]));
  }
  const rows = ["| floor step | ms |", "|---|---:|"];
  for (const [s, xs] of Object.entries(steps)) rows.push(`| ${s} | ${mean(xs).toFixed(1)} |`);
  const create = k.slice(0, 4).reduce((a, s) => a + mean(steps[s]!), 0);
  const del = k.slice(4).reduce((a, s) => a + mean(steps[s]!), 0);
  rows.push(
    `| **create total** | **${create.toFixed(1)}** |`,
    `| **delete total** | **${del.toFixed(1)}** |`,
  );
  return rows;
}

async function main(): Promise<void> {
  const { agent, traceFile } = tracedAgent();
  const client: Record<string, number[]> = {
    create: [],
    delete: [],
    createDhcp: [],
    deleteDhcp: [],
    inst: [],
  };
  let floorRows: string[] = [];
  const c = await agent.start();
  try {
    // Warm-up: the first exec of each program and the first instance (accel probe) are cold.
    await c.applyNetwork(spec("qpw", 250, true));
    await c.deleteNetwork("qpw");
    floorRows = await floor();
    for (let i = 0; i < N; i++) await timed(client.create!, () => c.applyNetwork(spec(`qpa${i}`, i, false)));
    for (let i = 0; i < N; i++) await timed(client.delete!, () => c.deleteNetwork(`qpa${i}`));
    for (let i = 0; i < N; i++)
      await timed(client.createDhcp!, () => c.applyNetwork(spec(`qpd${i}`, i, true)));
    for (let i = 0; i < N; i++) await timed(client.deleteDhcp!, () => c.deleteNetwork(`qpd${i}`));

    await c.applyNetwork({ id: "qpi", cidr: "10.212.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(await guestImage("img"));
    const inst = (id: string, i: number) => ({
      id,
      image_id: "img",
      memory_mb: 256,
      nics: [{ network_id: "qpi", mac: `52:54:00:48:00:${(16 + i).toString(16)}` }],
      running: true,
      wait_for_ip_seconds: 0,
    });
    await c.applyInstance(inst("qpiw", 0)); // cold: includes the accelerator probe
    await c.deleteInstance("qpiw");
    for (let i = 0; i < N; i++) {
      await timed(client.inst!, () => c.applyInstance(inst(`qpi${i}`, i + 1)));
      await c.deleteInstance(`qpi${i}`);
    }
  } finally {
    await agent.stop();
  }
  const spans = JSON.parse(fs.readFileSync(traceFile, "utf8")) as Span[];
  fs.rmSync(traceFile, { force: true });
  const by = (re: RegExp) => (s: Span) => re.test(s.arg ?? "");
  const parts: string[] = [
    `N = ${N} per kind, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}. ` +
      "Client ms: measured by the caller (gRPC round trip included); step ms: inside qvmd.",
    "",
    ...floorRows,
    "",
  ];
  const section = (title: string, root: string, ids: RegExp, clientMs: number[] | undefined) => {
    const p = profile(spans, root, by(ids));
    parts.push(`### ${title}`, "");
    if (clientMs) parts.push(`client: ${mean(clientMs).toFixed(1)} ms per call`, "");
    parts.push("```text", toText(p), "```", "");
  };
  section("Network create (no DHCP)", "Networks.apply", /^qpa\d+$/, client.create);
  section("Network delete (no DHCP)", "Networks.delete", /^qpa\d+$/, client.delete);
  section("Network create (DHCP)", "Networks.apply", /^qpd\d+$/, client.createDhcp);
  section("Network delete (DHCP)", "Networks.delete", /^qpd\d+$/, client.deleteDhcp);
  section(
    "Instance create, cold (first after start: accelerator probe)",
    "Instances.apply",
    /^qpiw$/,
    undefined,
  );
  section(
    "Instance create -> QEMU running (wait_for_ip_seconds 0)",
    "Instances.apply",
    /^qpi\d+$/,
    client.inst,
  );
  parts.push(
    "### Instance create: when each step runs",
    "",
    "```text",
    timeline(spans, "Instances.apply", by(/^qpi\d+$/), Number(process.env.TIMELINE_DEPTH ?? 4)),
    "```",
    "",
  );
  const text = parts.join("\n");
  console.log(text);
  if (outFile) fs.writeFileSync(outFile, text + "\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
