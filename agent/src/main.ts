#!/usr/bin/env node
// qvmd entry point: refuse without root, bind the unix socket, re-assert state, serve.
import "./threadpool";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { groupId, mayReplaceSocket, probeSocket, VERSION } from "@pulumi-qemu/api";
import {
  DEFAULT_RUN_DIR,
  DEFAULT_SOCKET,
  DEFAULT_STATE_DIR,
  SANDBOX_USERS,
  SOCKET_MODE,
  SYSTEM_PATH,
  MEMTRIM_QUIET_MS,
  paths,
} from "./constants";
import { linuxBridgeHost } from "./bridge/host";
import { ensureLayout } from "./layout";
import { resolveSandbox } from "./util/sandbox";
import { Bridges } from "./bridge/manager";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./config";
import { forwarderProcess } from "./dnsForwarder/host";
import { DnsForwarders } from "./dnsForwarder/manager";
import { linuxImageHost } from "./image/host";
import { Images } from "./image/manager";
import { linuxInstanceHost } from "./instance/host";
import { Instances } from "./instance/manager";
import { adoptAll, startAfterBoot } from "./instance/restart";
import { forgetBackends, startFirewallGuard } from "./firewall";
import { linuxNetworkHost } from "./network/host";
import { Networks } from "./network/manager";
import { listenWithPeerCredentials } from "./peer/listen";
import { Topology } from "./policy/topology";
import { createServer } from "./server";
import { bootedSinceMarked, markStarted } from "./boot";
import { StateStore } from "./state";
import { linuxTemplateHost } from "./template/host";
import { Templates } from "./template/manager";
import { crashPointsArmed, withCrashPoints } from "./util/crash-points";
import { startLogCap } from "./util/logcap";
import { startMemTrim } from "./util/memtrim";

// The host operations that only look: no crash point before them (util/crash-points.ts).
const NET_READS = [
  "observe",
  "nftTableExists",
  "nftTables",
  "hostRoutes",
  "readIpForward",
  "dhcpRunning",
  "forwardAcceptDrift",
  "fenceExists",
  "leases",
] as const;
const BRIDGE_READS = ["link", "routesVia", "hostRoutes"] as const;
const INSTANCE_READS = [
  "findQemu",
  "probeAccel",
  "ipTables",
  "listeners",
  "localAddresses",
  "discover",
  "cloudInitFinished",
  "sshAnswers",
  "hostFenceExists",
  "qemuGid",
  // Changes nothing: the launcher opens and starts nothing until launchQemu (a point) lets it go.
  "startLauncher",
] as const;
const TEMPLATE_READS = ["findQemu", "probeAccel", "discover", "cloudInitFinished", "sshAnswers"] as const;

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
  // What qvmd runs is found on the system's PATH only, never one inherited from whoever started
  // it (a `make up` PATH starts with node_modules/.bin); nothing it creates is writable by others.
  process.env.PATH = SYSTEM_PATH;
  process.umask(0o022);
  const { values } = parseArgs({
    options: {
      socket: { type: "string", default: process.env.QVMD_SOCKET ?? DEFAULT_SOCKET },
      "state-dir": { type: "string", default: process.env.QVMD_STATE_DIR ?? DEFAULT_STATE_DIR },
      "run-dir": { type: "string", default: process.env.QVMD_RUN_DIR ?? DEFAULT_RUN_DIR },
      "socket-group": { type: "string", default: process.env.QVMD_SOCKET_GROUP },
      version: { type: "boolean" },
      config: { type: "string", default: process.env.QVMD_CONFIG ?? DEFAULT_CONFIG_FILE },
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
  // The admin's decisions, before anything changes: a bad file stops qvmd here, naming the key.
  const config = loadConfig(path.resolve(values.config!));
  const socket = path.resolve(values.socket!);
  const p = paths({ stateDir: path.resolve(values["state-dir"]!), runDir: path.resolve(values["run-dir"]!) });
  // QEMU and dnsmasq never run as root: without their users there is nothing safe to start.
  const sandboxes = {
    qemu: await resolveSandbox(SANDBOX_USERS.qemu),
    dhcp: await resolveSandbox(SANDBOX_USERS.dhcp),
  };
  fs.mkdirSync(path.dirname(p.stateFile), { recursive: true, mode: 0o700 });
  // Blobs hold whatever callers uploaded: the state directory lets the sandbox users in to what
  // they need and no one else further (layout.ts), even when it existed before with a looser mode.
  await ensureLayout(path.dirname(p.stateFile), p, sandboxes);
  fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o755 });
  // The socket is chmod-ed and chown-ed by path once bound: nobody else may be able to put a link
  // in its place meanwhile, so its directory must be root's and writable by root alone.
  const sockDir = fs.lstatSync(path.dirname(socket));
  if (!sockDir.isDirectory() || sockDir.uid !== 0 || (sockDir.mode & 0o022) !== 0)
    throw new Error(
      `${path.dirname(socket)} must be a directory owned by root and writable by no one else (it holds the socket)`,
    );
  fs.mkdirSync(path.resolve(values["run-dir"]!), { recursive: true, mode: 0o755 });

  // Resolved before anything changes on the host, so a wrong name fails cleanly.
  const group = values["socket-group"];
  const gid = group ? groupId(group, fs.readFileSync("/etc/group", "utf8")) : undefined;
  if (group && gid === undefined) throw new Error(`--socket-group: no group named ${group} in /etc/group`);
  await claimSocket(socket);

  const armed = crashPointsArmed();
  if (armed) log(armed);
  const state = new StateStore(p);
  for (const problem of state.problems) log(`state: ${problem}`);
  // DNS forwarders start after the networks; until then no gateway serves DNS (finding 6).
  const gateways: { dns?: DnsForwarders } = {};
  // Every host operation that changes something is a test crash point (off unless armed).
  const networks = new Networks(
    p,
    state,
    withCrashPoints("network", linuxNetworkHost(p, sandboxes), NET_READS),
    (netId) => (gateways.dns ? gateways.dns.gatewayServices(netId) : {}),
  );
  await networks.reassertAll(log);
  // Half-received uploads and downloads of a crashed qvmd: nobody waits for them any more.
  for (const d of [p.uploadsDir, p.downloadsDir]) fs.rmSync(d, { recursive: true, force: true });
  const images = new Images(
    p,
    state,
    withCrashPoints("image", linuxImageHost(config.downloads), ["inspect"]),
  );
  // Blobs a crash left unrecorded (stored, then the crash came before the record).
  await images.gc();
  const bridges = new Bridges(
    state,
    withCrashPoints("bridge", linuxBridgeHost, BRIDGE_READS),
    config.bridges,
  );
  const instanceHost = withCrashPoints("instance", linuxInstanceHost(p, sandboxes), INSTANCE_READS);
  const topology = new Topology();
  const instances = new Instances(
    p,
    state,
    images,
    networks,
    bridges,
    log,
    instanceHost,
    config.portForwards,
    topology,
  );
  await adoptAll(instances, state, log);
  const templates = new Templates(
    p,
    state,
    images,
    networks,
    (n) => instances.addresses.leases(n),
    log,
    withCrashPoints("template", linuxTemplateHost(linuxInstanceHost(p, sandboxes)), TEMPLATE_READS),
  );
  const dns = new DnsForwarders(
    state,
    networks,
    (netId) => instances.hostsOn(netId),
    log,
    withCrashPoints("dnsForwarder", forwarderProcess(log), ["close", "whyUnreadable"]),
  );
  gateways.dns = dns;
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
            await instances.refreshHostFence();
          },
          check: async () => [...(await networks.firewallCheck()), ...(await instances.missingPortTables())],
          log,
        });
  networks.guard = guard;
  // Serial consoles, dnsmasq logs and qvmd's own log (when its stderr is a file) stay under the
  // admin's cap (finding 9).
  const logCap = startLogCap(p, config.logs.maxBytes, log, undefined, 2);
  await logCap.sweep();

  const server = createServer({
    networks,
    images,
    instances,
    templates,
    dns,
    bridges,
    version: VERSION,
    stateDir: path.dirname(p.stateFile),
    paths: p,
    config,
    state,
    topology,
    problems: () => state.problems,
    log,
  });
  // The socket is born without access for others: no window before the chmod/chown below. Every
  // connection is accepted by us first, to learn its caller (SO_PEERCRED).
  const umask = process.umask(0o007);
  const listener = await listenWithPeerCredentials(server, socket, log).finally(() => process.umask(umask));
  fs.chmodSync(socket, SOCKET_MODE);
  // Members of the group may drive qvmd; everyone else needs root.
  if (gid !== undefined) fs.chownSync(socket, 0, gid);
  log(`serving on ${socket}, state in ${path.dirname(p.stateFile)}`);
  // Startup's garbage (gRPC, the proto, zod's schemas, every module's compile) goes back once quiet.
  const noTrim = startMemTrim(MEMTRIM_QUIET_MS, true);
  if (noTrim) log(`memory is not trimmed when idle: ${noTrim}`);

  // After a host reboot the VMs that should run are started again (in the background: qvmd
  // answers meanwhile; a call for one of them waits for its start).
  if (!state.unreadable && (await bootedSinceMarked(p.bootMarker)))
    void startAfterBoot(instances, state, log)
      .then(() => markStarted(p.bootMarker))
      .catch((e: unknown) => log(`starting instances after boot: ${String(e)}`));

  // Stopping qvmd never stops what it manages: networks and DHCP servers keep running.
  const stop = (sig: string) => {
    log(`${sig}: shutting down (networks keep running)`);
    void guard?.stop();
    logCap.stop();
    listener.close();
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
