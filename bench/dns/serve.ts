// Runs our forwarder for the benchmark the way qvmd does: this process binds the sockets and hands
// them to the unprivileged forwarder process (agent/src/dns/remote.ts), which serves; the driver's
// work (spawning dnsperf, reading its output) never shares an event loop with it. Options come as
// JSON in argv.
import { ForwarderHost, type ForwarderOptions } from "../../agent/src/dns";

async function main() {
  const opts = JSON.parse(process.argv[2] ?? "{}") as ForwarderOptions;
  const host = new ForwarderHost({ user: "nobody", log: (m) => console.error(m) });
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
