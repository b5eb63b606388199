// The forwarded path's JavaScript alone, without sockets: parse a query (a parse-cache miss, as in
// run.ts's 10,000 cycled names), build the upstream query, check the reply, re-address it. Counts
// V8's scavenges (allocation, which the load on a shared machine does not change) and times it.
// Run with the process's young-generation size, for one build or two:
//   node --max-semi-space-size=2 --import tsx bench/dns/jspath.ts <agent/dist> [<other agent/dist>]
import * as path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import * as dnsPacket from "dns-packet";

const NAMES = 20000;
const ROUNDS = 10;

interface Build {
  query: typeof import("../../agent/src/dns/query");
  wire: typeof import("../../agent/src/dns/upstreamwire");
  answer: typeof import("../../agent/src/dns/answer");
}

function load(dist: string): Build {
  /* eslint-disable @typescript-eslint/no-require-imports -- another checkout's compiled output */
  return {
    query: require(path.join(dist, "dns", "query")) as Build["query"],
    wire: require(path.join(dist, "dns", "upstreamwire")) as Build["wire"],
    answer: require(path.join(dist, "dns", "answer")) as Build["answer"],
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const queries: Buffer[] = [];
const replies: Buffer[] = [];
for (let i = 0; i < NAMES; i++) {
  const name = `name${i}.fwd.bench`;
  queries.push(dnsPacket.encode({ type: "query", id: i, flags: 0x100, questions: [{ type: "A", name }] }));
  replies.push(
    dnsPacket.encode({
      type: "response",
      id: 7,
      flags: 0x8180,
      questions: [{ type: "A", name }],
      answers: [{ type: "A", name, ttl: 0, data: "192.0.2.1" }],
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232 } as dnsPacket.Answer],
    }),
  );
}

function once(b: Build, i: number) {
  const p = b.query.parseQueryCached(queries[i]!);
  if (!p.ok) throw new Error(`rejected: ${p.code}`);
  const q = p.query;
  // Both spellings of the question's name: builds before 2026-12-02 evening took lowercase labels.
  const old = q as unknown as { labels?: Buffer[] };
  const up = {
    name: q.lowerName,
    labels: old.labels,
    qtype: q.qtype,
    qclass: q.qclass,
    dnssecOk: false,
    checkingDisabled: false,
  };
  b.wire.buildUpstreamQuery(7, up);
  // The receive area's bytes, as udpnative.ts hands them over (a view, adapted in place).
  const reply = Buffer.from(replies[i]!);
  const c = b.wire.checkReply(reply, 7, up);
  if (!c.ok) throw new Error(`reply rejected: ${c.reason}`);
  return b.answer.adaptUpstreamResponse(q, reply, c.scan, true);
}

let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges++;
}).observe({ entryTypes: ["gc"] });

async function measure(dist: string) {
  const b = load(path.resolve(dist));
  for (let i = 0; i < NAMES; i++) once(b, i); // warm-up
  await new Promise((r) => setImmediate(r));
  const before = scavenges;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ROUNDS; k++) for (let i = 0; i < NAMES; i++) once(b, i);
  const ns = Number(process.hrtime.bigint() - t0) / (ROUNDS * NAMES);
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  console.error(`${dist}: ${(ns / 1000).toFixed(2)} us a query, ${scavenges - before} scavenges`);
}

async function main() {
  const dists = process.argv.slice(2);
  if (dists.length === 0) throw new Error("usage: jspath.ts <agent/dist> [<agent/dist> ...]");
  // Alternated, so machine load lands on both alike.
  for (let r = 0; r < 2; r++) for (const d of dists) await measure(d);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
