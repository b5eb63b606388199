// Networks created and deleted through qvmd vs the raw floor (netns add + `ip -batch` + one
// `nft -f` per network and the guest fence's in the namespace, the same commands without the
// agent), measured in the same run.
// Usage: tsx bench/network/run.ts [N]   (root; prints ms per network and the ratios)
import { existsSync } from "node:fs";
import * as path from "node:path";
import { SYS_CLASS_NET, names } from "../../agent/src/constants";
import { renderFence } from "../../agent/src/fence/render";
import { renderNftTable, renderNsBatch, renderRootBatch } from "../../agent/src/network/render";
import { resolveNetwork } from "../../agent/src/network/spec";
import { run } from "../../agent/src/util/exec";
import { createForm } from "../../agent/src/util/nft";
import { TestAgent } from "../../test/helpers/agent";
import { record } from "../lib/results";

const N = Number(process.argv[2] ?? 20);
const spec = (i: number, dhcp: boolean) => ({
  id: `qb${i}`,
  cidr: `10.200.${i}.0/24`,
  nat: true,
  dhcp: { enabled: dhcp },
});

async function raw(i: number): Promise<void> {
  const n = resolveNetwork(spec(i, false)).network!;
  // The floor makes the namespace with its own `ip netns add`: the batches then find it there.
  const none = { netns: true, hostVeth: false, bridge: false };
  await run("ip", ["netns", "add", names.netns(n.id)]);
  await run("ip", ["-batch", "-"], { input: renderRootBatch(n, none).join("\n") + "\n" });
  await run("ip", ["-n", names.netns(n.id), "-batch", "-"], {
    input: renderNsBatch(n, none).join("\n") + "\n",
  });
  // Neither table exists yet: made by scripts that only add, the cheapest way, as qvmd makes a new
  // network's (util/nft.ts; a replacing script waits for an RCU grace period).
  await run("nft", ["-f", "-"], { input: createForm(renderNftTable(n)) });
  // The guest fence qvmd makes in every network's namespace (no guest yet): the same kernel work.
  await run("ip", ["netns", "exec", names.netns(n.id), "nft", "-f", "-"], {
    input: createForm(renderFence([])),
  });
}

/** A re-apply's floor: everything exists, so both tables are replaced, the links only configured. */
async function rawReapply(i: number): Promise<void> {
  const n = resolveNetwork(spec(i, false)).network!;
  const all = { netns: true, hostVeth: true, bridge: true };
  await run("ip", ["-batch", "-"], { input: renderRootBatch(n, all).join("\n") + "\n" });
  await run("ip", ["-n", names.netns(n.id), "-batch", "-"], {
    input: renderNsBatch(n, all).join("\n") + "\n",
  });
  await run("nft", ["-f", "-"], { input: renderNftTable(n) });
  await run("ip", ["netns", "exec", names.netns(n.id), "nft", "-f", "-"], { input: renderFence([]) });
}

async function rawDelete(i: number): Promise<void> {
  await run("nft", ["delete", "table", "inet", names.nftTable(`qb${i}`)]);
  await run("ip", ["netns", "delete", names.netns(`qb${i}`)]);
}

/**
 * Not timed: until the kernel has torn down the veths of the namespaces just deleted (it does that
 * after `ip netns delete` returns, the floor's and qvmd's alike), so each timed phase starts on a
 * host without that work pending.
 */
async function settled(): Promise<void> {
  const ids = [...Array(N).keys(), 250, 251].map((i) => `qb${i}`);
  const until = Date.now() + 30000;
  while (ids.some((id) => existsSync(path.join(SYS_CLASS_NET, names.hostVeth(id))))) {
    if (Date.now() > until) throw new Error("host veths of deleted namespaces still there after 30 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  const agent = new TestAgent();
  const c = await agent.start();
  const rows: Array<[string, number, number]> = [];
  try {
    // Warm up both paths once so the first exec/page-cache costs fall on neither.
    await raw(250);
    await rawDelete(250);
    await c.applyNetwork(spec(251, false));
    await c.deleteNetwork("qb251");
    await settled();

    const rawCreate = await time(async () => {
      for (let i = 0; i < N; i++) await raw(i);
    });
    const rawAgain = await time(async () => {
      for (let i = 0; i < N; i++) await rawReapply(i);
    });
    const rawDel = await time(async () => {
      for (let i = 0; i < N; i++) await rawDelete(i);
    });
    await settled();
    const agentCreate = await time(async () => {
      for (let i = 0; i < N; i++) await c.applyNetwork(spec(i, false));
    });
    const agentReapply = await time(async () => {
      for (let i = 0; i < N; i++) await c.applyNetwork(spec(i, false));
    });
    const agentDel = await time(async () => {
      for (let i = 0; i < N; i++) await c.deleteNetwork(`qb${i}`);
    });
    await settled();
    const dhcpCreate = await time(async () => {
      for (let i = 0; i < N; i++) await c.applyNetwork(spec(i, true));
    });
    const dhcpDel = await time(async () => {
      for (let i = 0; i < N; i++) await c.deleteNetwork(`qb${i}`);
    });
    rows.push(["create", rawCreate / N, agentCreate / N]);
    rows.push(["re-apply (no change)", rawAgain / N, agentReapply / N]);
    rows.push(["delete", rawDel / N, agentDel / N]);
    rows.push(["create + DHCP server", rawCreate / N, dhcpCreate / N]);
    rows.push(["delete + DHCP server", rawDel / N, dhcpDel / N]);
  } finally {
    await agent.stop();
  }
  console.log(
    `networks: ${N}, ms per network (raw floor = netns add + ip -batch x2 + nft -f x2; a re-apply's replaces both tables)`,
  );
  console.log("operation".padEnd(24), "raw ms".padStart(8), "qvmd ms".padStart(8), "ratio".padStart(7));
  for (const [op, r, a] of rows) {
    if (op === "create" || op === "delete")
      record({
        figure: `network ${op} (NAT, no DHCP)`,
        bench: "network",
        ours: a,
        peer: r,
        peerName: "ip -batch + nft -f floor",
        unit: "ms",
        better: "lower",
        goal: "<= 1.5x",
        limit: 1.5,
      });
    console.log(
      op.padEnd(24),
      r.toFixed(1).padStart(8),
      a.toFixed(1).padStart(8),
      `${(a / r).toFixed(2)}x`.padStart(7),
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
