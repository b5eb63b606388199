#!/usr/bin/env node
// qvmd entry point: refuse without root, bind the unix socket, re-assert state, serve.
import * as grpc from "@grpc/grpc-js";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { groupId, mayReplaceSocket, probeSocket, VERSION } from "@pulumi-qemu/api";
import { DEFAULT_RUN_DIR, DEFAULT_SOCKET, DEFAULT_STATE_DIR, SOCKET_MODE, paths } from "./constants";
import { linuxBridgeHost } from "./bridge/host";
import { Bridges } from "./bridge/manager";
import { forwarderProcess } from "./dnsForwarder/host";
import { DnsForwarders } from "./dnsForwarder/manager";
import { linuxImageHost } from "./image/host";
import { Images } from "./image/manager";
import { linuxInstanceHost } from "./instance/host";
import { Instances } from "./instance/manager";
import { forgetBackends, startFirewallGuard } from "./firewall";
import { linuxNetworkHost } from "./network/host";
import { Networks } from "./network/manager";
import { createServer } from "./server";
import { StateStore } from "./state";

function log(m: string): void {
  process.stderr.write(`${new Date().toISOString()} qvmd[${process.pid}] ${m}\n`);
}

/** Makes the socket path free for us: a crashed qvmd's socket is replaced, anything else refused. */
async function claimSocket(socket: string): Promise<void> {
  const state = await probeSocket(socket);
  const owner = state === "missing" ? undefined : fs.lstatSync(socket).uid;
  if (state === "answers") throw new Error(`another qvmd already serves ${socket}`);
  if (!mayReplaceSocket(state, owner))
    throw new Error(
      `${socket} exists and is not a socket left by a crashed qvmd (${state}, owner uid ${owner}); ` +
        `remove it if nothing uses it`,
    );
  if (state === "refused") {
    log(`replacing the stale socket ${socket} (nothing answered on it)`);
    fs.rmSync(socket);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      socket: { type: "string", default: process.env.QVMD_SOCKET ?? DEFAULT_SOCKET },
      "state-dir": { type: "string", default: process.env.QVMD_STATE_DIR ?? DEFAULT_STATE_DIR },
      "run-dir": { type: "string", default: process.env.QVMD_RUN_DIR ?? DEFAULT_RUN_DIR },
      "socket-group": { type: "string", default: process.env.QVMD_SOCKET_GROUP },
      version: { type: "boolean" },
    },
  });
  if (values.version) {
    process.stdout.write(`qvmd ${VERSION}\n`);
    return;
  }
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

  // Resolved before anything changes on the host, so a wrong name fails cleanly.
  const group = values["socket-group"];
  const gid = group ? groupId(group, fs.readFileSync("/etc/group", "utf8")) : undefined;
  if (group && gid === undefined) throw new Error(`--socket-group: no group named ${group} in /etc/group`);
  await claimSocket(socket);

  const state = new StateStore(p);
  const networks = new Networks(p, state, linuxNetworkHost(p));
  await networks.reassertAll(log);
  const images = new Images(p, state, linuxImageHost);
  const bridges = new Bridges(state, linuxBridgeHost);
  const instances = new Instances(p, state, images, networks, bridges, log, linuxInstanceHost);
  await instances.adoptAll();
  const dns = new DnsForwarders(
    state,
    networks,
    (netId) => instances.hostsOn(netId),
    log,
    forwarderProcess(log),
  );
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
            // Another tool changed the firewall: which FORWARD chains exist is to be seen again.
            forgetBackends();
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
  // The socket is born without access for others: no window before the chmod/chown below.
  const umask = process.umask(0o007);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  ).finally(() => process.umask(umask));
  fs.chmodSync(socket, SOCKET_MODE);
  // Members of the group may drive qvmd; everyone else needs root.
  if (gid !== undefined) fs.chownSync(socket, 0, gid);
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
