// Runs our forwarder alone in its own process for the benchmark, so the driver's work (spawning
// dnsperf, reading its output) never shares an event loop with it. Options come as JSON in argv.
import { startForwarder, type ForwarderOptions } from "../../agent/src/dns";

async function main() {
  const opts = JSON.parse(process.argv[2] ?? "{}") as ForwarderOptions;
  const f = await startForwarder(opts);
  console.log(`ready ${f.address.port}`);
  const stop = () => void f.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
