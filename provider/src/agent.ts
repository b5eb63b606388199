// Reaching qvmd. Installed from the package, qvmd is a systemd service that restarts after a crash:
// then a missing or dead socket means "wait for it" (bounded, with progress). From a checkout, as
// root and with no service installed, we start qvmd ourselves (detached, logging to a file); a socket
// nobody answers on (left by kill -9) counts as no qvmd, and the new qvmd replaces it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { connect, probeSocket, type QvmdClient, type SocketState } from "@pulumi-qemu/api";
import { assets } from "./assets";

export const DEFAULT_SOCKET = "/run/qvmd/qvmd.sock";
/** Where the qvmd package (scripts/dist/deb.sh) or an admin puts the unit. */
export const UNIT_FILES = [
  "/etc/systemd/system/qvmd.service",
  "/lib/systemd/system/qvmd.service",
  "/usr/lib/systemd/system/qvmd.service",
];
/** The package's socket group. */
export const SOCKET_GROUP = "qvmd";
/** How long to wait for a service to come back: systemd restarts it after 1 s, then it re-asserts. */
export const SERVICE_WAIT_MS = 30000;
const START_WAIT_MS = 15000;

export class AgentUnavailable extends Error {}

export type Mode = "service" | "start";

export interface Situation {
  root: boolean;
  unitInstalled: boolean;
  /** qvmd's entry point in the checkout, when there is one to start. */
  agentMain?: string;
}

/** Start qvmd ourselves only as root, from a checkout, where no service would. Pure. */
export const modeFor = (s: Situation): Mode =>
  s.root && !s.unitInstalled && s.agentMain !== undefined ? "start" : "service";

/** Whether waiting can help: something (systemd, the admin) is expected to bring qvmd back. Pure. */
export const worthWaiting = (state: SocketState, s: Situation): boolean =>
  s.unitInstalled && (state === "missing" || state === "refused");

/** What to tell the user when qvmd cannot be reached: the cause and what to run. Pure. */
export function advice(state: SocketState, socket: string, s: Situation): string {
  const service = s.unitInstalled
    ? `start the service: \`sudo systemctl start qvmd\` (at boot: \`sudo systemctl enable qvmd\`); its log: \`journalctl -u qvmd\``
    : `install the qvmd package (\`sudo apt install ./qvmd_<version>_amd64.deb\`), or from a checkout run ` +
      `\`sudo node agent/dist/main.js --socket ${socket}\`; or set qemu:socketPath to the socket of a running qvmd`;
  switch (state) {
    case "missing":
      return `qvmd is not running (no socket at ${socket}): ${service}`;
    case "refused":
      return (
        `qvmd is not running: nothing answers on ${socket} (left by a qvmd that died)` +
        (s.unitInstalled ? ` and it did not come back within ${SERVICE_WAIT_MS / 1000} s` : "") +
        `: ${s.unitInstalled ? "`sudo systemctl restart qvmd`; why it stopped: `journalctl -u qvmd -n 50`" : service}`
      );
    case "denied":
      return (
        `you may not use qvmd's socket ${socket}: it is for root and the members of group ${SOCKET_GROUP}. ` +
        `Run \`sudo usermod -aG ${SOCKET_GROUP} $USER\` and log in again (or \`newgrp ${SOCKET_GROUP}\`)`
      );
    case "foreign":
      return `${socket} is not qvmd's socket (not a unix socket anyone listens on): check qemu:socketPath`;
    case "answers":
      return `qvmd at ${socket} accepts connections but does not answer: see \`journalctl -u qvmd\``;
  }
}

function situation(): Situation {
  return {
    root: process.getuid?.() === 0,
    unitInstalled: UNIT_FILES.some((f) => fs.existsSync(f)),
    agentMain: assets.agentMain && fs.existsSync(assets.agentMain) ? assets.agentMain : undefined,
  };
}

/** Whether this provider starts qvmd itself (and so must start it again after a crash). */
export const startsAgent = (): boolean => modeFor(situation()) === "start";

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

function startAgent(main: string, socket: string): string {
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

/** Polls the socket until it answers or `ms` pass; returns the last state seen. */
async function waitForService(
  socket: string,
  first: SocketState,
  ms: number,
  progress: (m: string) => void,
): Promise<SocketState> {
  const start = Date.now();
  let state = first;
  let reported = 0;
  while (state !== "answers" && Date.now() - start < ms) {
    const s = Math.floor((Date.now() - start) / 1000);
    if (s >= reported) {
      reported = s + 2;
      progress(
        `waiting for qvmd at ${socket} (${state === "refused" ? "its socket does not answer" : "no socket yet"}; ` +
          `${s}/${ms / 1000} s): the service restarts it`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
    state = await probeSocket(socket);
  }
  return state;
}

export async function connectAgent(
  socket: string,
  progress: (m: string) => void = () => {},
): Promise<QvmdClient> {
  const s = situation();
  let state = await probeSocket(socket);
  if (state !== "answers" && modeFor(s) === "start" && (state === "missing" || state === "refused")) {
    // qvmd itself replaces a dead socket it left behind (root-owned, nobody listening).
    progress(`starting qvmd on ${socket}${state === "refused" ? " (the last one died)" : ""}`);
    const log = startAgent(s.agentMain!, socket);
    const client = connect(socket);
    try {
      await waitHealthy(client, START_WAIT_MS);
    } catch (e) {
      client.close();
      throw new AgentUnavailable(`${(e as Error).message} (started it; see ${log})`);
    }
    return client;
  }
  if (worthWaiting(state, s)) state = await waitForService(socket, state, SERVICE_WAIT_MS, progress);
  if (state !== "answers") throw new AgentUnavailable(advice(state, socket, s));
  const client = connect(socket);
  await waitHealthy(client, 5000).catch((e: unknown) => {
    client.close();
    throw new AgentUnavailable(`${advice("answers", socket, s)} (${(e as Error).message})`);
  });
  return client;
}
