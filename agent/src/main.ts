#!/usr/bin/env node
// qvmd entry point: refuse without root, bind the unix socket, re-assert state, serve.
import * as grpc from "@grpc/grpc-js";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_RUN_DIR, DEFAULT_SOCKET, DEFAULT_STATE_DIR, SOCKET_MODE, paths } from "./constants";
import { Bridges } from "./bridges/manager";
import { DnsForwarders } from "./dnsfwd/manager";
import { Images } from "./images/store";
import { Instances } from "./instances/manager";
import { startFirewallGuard } from "./net/firewall";
import { Networks } from "./net/network";
import { createServer } from "./server";
import { StateStore } from "./state";

const VERSION = "0.1.0";

function log(m: string): void {
  process.stderr.write(`${new Date().toISOString()} qvmd[${process.pid}] ${m}\n`);
}

/** True when something already answers on the socket: then we must not steal it. */
function socketAnswers(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(sock);
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      socket: { type: "string", default: process.env.QVMD_SOCKET ?? DEFAULT_SOCKET },
      "state-dir": { type: "string", default: process.env.QVMD_STATE_DIR ?? DEFAULT_STATE_DIR },
      "run-dir": { type: "string", default: process.env.QVMD_RUN_DIR ?? DEFAULT_RUN_DIR },
      "socket-group": { type: "string" },
    },
  });
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      "qvmd: must run as root (it creates network namespaces, links and firewall rules)\n",
    );
    process.exit(1);
  }
  const socket = path.resolve(values.socket!);
  const p = paths({ stateDir: path.resolve(values["state-dir"]!), runDir: path.resolve(values["run-dir"]!) });
  fs.mkdirSync(path.dirname(p.stateFile), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.resolve(values["run-dir"]!), { recursive: true, mode: 0o755 });

  if (fs.existsSync(socket)) {
    if (await socketAnswers(socket)) {
      process.stderr.write(`qvmd: another qvmd already serves ${socket}\n`);
      process.exit(1);
    }
    fs.rmSync(socket, { force: true }); // stale, from a crash
  }

  const state = new StateStore(p);
  const networks = new Networks(p, state);
  await networks.reassertAll(log);
  const images = new Images(p, state);
  const bridges = new Bridges(state);
  const instances = new Instances(p, state, images, networks, bridges, log);
  await instances.adoptAll();
  const dns = new DnsForwarders(state, networks, (netId) => instances.hostsOn(netId), log);
  instances.onAddressesChanged = () => dns.refreshHosts();
  await dns.startAll();
  // Another tool flushing or replacing rules (nft flush ruleset, iptables -F, firewalld reload)
  // is noticed from kernel events and repaired; a slow periodic check is the backstop.
  // QVMD_FIREWALL_GUARD=off exists for tests of the guard module itself, which run their own.
  const guard =
    process.env.QVMD_FIREWALL_GUARD === "off"
      ? undefined
      : startFirewallGuard({
          onChange: async (reason) => {
            await networks.reassertFirewall(reason);
            await instances.refreshPortForwards();
          },
          check: async () => [...(await networks.firewallCheck()), ...(await instances.missingPortTables())],
          log,
        });
  networks.guard = guard;

  const server = createServer({
    networks,
    images,
    instances,
    dns,
    bridges,
    version: VERSION,
    stateDir: path.dirname(p.stateFile),
    log,
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  fs.chmodSync(socket, SOCKET_MODE);
  if (values["socket-group"]) {
    const gid = Number(values["socket-group"]);
    if (Number.isInteger(gid)) fs.chownSync(socket, 0, gid);
  }
  log(`serving on ${socket}, state in ${path.dirname(p.stateFile)}`);

  // Stopping qvmd never stops what it manages: networks and DHCP servers keep running.
  const stop = (sig: string) => {
    log(`${sig}: shutting down (networks keep running)`);
    void guard?.stop();
    server.tryShutdown(() => {
      fs.rmSync(socket, { force: true });
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e: unknown) => {
  process.stderr.write(`qvmd: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
