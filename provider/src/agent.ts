// Reaching qvmd. When its socket is missing and we run as root, we start it ourselves (detached,
// logging to a file) so `pulumi up` works on a fresh machine; otherwise the error says how.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { connect, type QvmdClient } from "@pulumi-qemu/api";

export const DEFAULT_SOCKET = "/run/qvmd/qvmd.sock";

export class AgentUnavailable extends Error {}

async function waitHealthy(client: QvmdClient, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      await client.health(1000);
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new AgentUnavailable(`qvmd did not answer within ${ms} ms: ${String(last)}`);
}

function startAgent(socket: string): string {
  const main = require.resolve("@pulumi-qemu/agent/dist/main.js");
  const logFile = path.join(path.dirname(socket), "qvmd.log");
  fs.mkdirSync(path.dirname(socket), { recursive: true });
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [main, "--socket", socket], {
    detached: true,
    stdio: ["ignore", out, out],
  });
  child.unref();
  fs.closeSync(out);
  return logFile;
}

export async function connectAgent(socket: string): Promise<QvmdClient> {
  if (!fs.existsSync(socket)) {
    if (process.getuid?.() !== 0)
      throw new AgentUnavailable(
        `qvmd is not running (no socket at ${socket}). Start it as root: \`sudo systemctl start qvmd\` ` +
          `or \`sudo node agent/dist/main.js --socket ${socket}\`, or set qemu:socketPath.`,
      );
    const log = startAgent(socket);
    const client = connect(socket);
    try {
      await waitHealthy(client, 15000);
    } catch (e) {
      client.close();
      throw new AgentUnavailable(`${(e as Error).message} (started it; see ${log})`);
    }
    return client;
  }
  const client = connect(socket);
  await waitHealthy(client, 5000).catch((e: unknown) => {
    client.close();
    throw new AgentUnavailable(`qvmd at ${socket} does not answer: ${(e as Error).message}`);
  });
  return client;
}
