// qvmd's Health latency seen by a client of its own: a probe in a separate process sends Health
// every 10 ms until told to stop and reports the latencies. A probe inside the process that
// generates a load measures that process's event loop as much as qvmd, so it runs apart.
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { loadQvmd } from "@pulumi-qemu/api";

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Starts the probe process; `stop` ends it and resolves with the latencies in ms, sorted. */
export function probeHealth(socket: string): { stop: () => Promise<number[]> } {
  const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), __filename, socket], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", r));
  return {
    stop: async () => {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`the Health probe exited with ${code}: ${out.slice(-400)}`);
      return (JSON.parse(out) as number[]).sort((a, b) => a - b);
    },
  };
}

/** The probe itself: Health in a loop, one at a time, 5 s deadline (a failure fails the probe). */
async function main(socket: string): Promise<void> {
  const client = new (loadQvmd().qvmd.v1.Qvmd)(`unix://${socket}`, grpc.credentials.createInsecure());
  const out: number[] = [];
  let running = true;
  process.stdin.resume();
  process.stdin.on("end", () => (running = false));
  while (running) {
    const t = performance.now();
    await new Promise<void>((resolve, reject) =>
      client.Health({}, { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())),
    );
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  client.close();
  process.stdout.write(JSON.stringify(out));
}

if (require.main === module) void main(process.argv[2]!);
