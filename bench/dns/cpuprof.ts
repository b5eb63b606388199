// Where a node process's CPU went, from a .cpuprofile (cpuprof-preload.js, or --cpu-prof): self
// time by function and by where the code lives (our agent, node's own modules, npm packages, V8's
// garbage collector, native code with no JS frame). For the DNS forwarder process under dnsperf:
//   DNSBENCH_CASES=forwarded DNSBENCH_PEERS=dnsmasq DNSBENCH_CPUPROF_DIR=DIR \
//     NODE_OPTIONS="--require $PWD/bench/dns/cpuprof-preload.js" \
//     tsx bench/dns/run.ts 10     (DIR writable by nobody, the forwarder process's user)
//   tsx bench/dns/cpuprof.ts DIR/<the forwarder process's profile> [top N]
import * as fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function where(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "V8 garbage collector";
  if (fn === "(idle)") return "idle";
  if (fn === "(program)") return "native, no JS frame (libuv, syscalls, V8)";
  if (url.includes("/agent/dist/") || url.includes("/agent/src/")) return "ours (agent)";
  if (url.includes("node_modules")) return `npm: ${url.split("node_modules/")[1]!.split("/")[0]}`;
  if (url.startsWith("node:")) return `node: ${url.slice(5).split("/")[0]}`;
  return url ? "other JS" : "native";
}

// The forwarder's busy time by what it is for (issue 13's categories), from function and file.
const CATEGORIES: [string, RegExp][] = [
  ["upstream send (one send system call per upstream query)", /^send udpnative$/],
  ["V8 garbage collector", /^\(garbage collector\) $/],
  [
    "pool socket rotation (fresh random ports)",
    /^((open|close) udpnative|(create|destroy|refill|retireIdle) pool)$/,
  ],
  ["query parse", /^(parseQueryCached|parseQuery|questionNames|seenBefore|latin1Slice) /],
  [
    "wire scans, reply checks, upstream query",
    /^(scanMessage|checkReply|nameEqualsLower|skipName|readHeader|buildUpstreamQuery) /,
  ],
  ["ID and port randomisation (CSPRNG)", /^(randomId|randomBelow|randomFillSync|randomBytes) /],
  ["deadlines and timers", /^(schedule|cancel|expire|arm|fire|drain|listOnTimeout|processTimers) /],
  [
    "resolver, pool, attempts",
    /^(resolveWith|fanout|landed|record|attemptDone|decide|classify|settle|acquire|release|track|untrack|start|finish|askUdp|message pool|received|healthOf|isDown|poolOf|resolve) /,
  ],
  [
    "engine and answers",
    /^(answerWith|fit|flightKey|adaptUpstreamResponse|\(anonymous\) engine|lookup|takeToken|allows) /,
  ],
  [
    "UDP dispatch (batch, server, handler, sendTo)",
    /^(onBatch|message server|sendTo|ipv4String|endpointOf|(answer|received|take|allows) forwarder)$|^(onBatch|sendTo|ipv4String|endpointOf) /,
  ],
];

export function category(fn: string, url: string): string {
  const key = `${fn || "(anonymous)"} ${(url.split("/").pop() ?? "").replace(/\.js$/, "")}`;
  const hit = CATEGORIES.find(([, re]) => re.test(key));
  if (hit) return hit[0];
  if (url.startsWith("node:")) return "node internals (buffers, events)";
  return url.includes("/agent/") ? "other of ours" : "other native";
}

function main(): void {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!file) throw new Error("usage: cpuprof.ts FILE.cpuprofile [top N]");
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)");
  const busy = total - idle.reduce((a, [, us]) => a + us, 0);
  const fns = new Map<string, number>();
  const places = new Map<string, number>();
  const cats = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split("/").slice(-2).join("/");
    const key = `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const w = where(f.url, f.functionName);
    places.set(w, (places.get(w) ?? 0) + us);
    if (w !== "idle") {
      const c = category(f.functionName, f.url);
      cats.set(c, (cats.get(c) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  console.log(
    `${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(2)} s busy (not idle)`,
  );
  console.log("\nbusy time by where the code lives:");
  for (const [w, us] of [...places].filter(([w]) => w !== "idle").sort((a, b) => b[1] - a[1]))
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${w}`);
  console.log("\nbusy time by category:");
  for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1]))
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${c}`);
  console.log(`\nbusy time by function (self), top ${top}:`);
  for (const [k, us] of [...fns]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}

if (require.main === module) main();
