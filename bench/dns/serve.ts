// Runs our forwarder for the benchmark the way qvmd does: this process binds the sockets and hands
// them to the unprivileged forwarder process (agent/src/dns/remote.ts), which serves; the driver's
// work (spawning dnsperf, reading its output) never shares an event loop with it. It runs the
// compiled agent, the code that ships (`make build`; scripts/dist bundles that same output), from
// the agent/dist directory given: this checkout's, or another checkout's for before/after.
// Usage: serve.ts <options as JSON> <agent/dist directory>
import * as path from "node:path";
import type { ForwarderHost, ForwarderOptions } from "../../agent/src/dns";

async function main() {
  const opts = JSON.parse(process.argv[2] ?? "{}") as ForwarderOptions;
  const dist = path.resolve(process.argv[3] ?? path.join(__dirname, "..", "..", "agent", "dist"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dns = require(path.join(dist, "dns")) as { ForwarderHost: typeof ForwarderHost };
  // That build's V8 options for the process, as its qvmd passes them (undefined before it had any).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const c = require(path.join(dist, "constants")) as { DNS_PROCESS_NODE_OPTIONS?: string };
  const host = new dns.ForwarderHost({
    user: "nobody",
    log: (m) => console.error(m),
    nodeOptions: c.DNS_PROCESS_NODE_OPTIONS,
  });
  const f = await host.start("bench", opts);
  console.error(`ready ${f.address.port}`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
