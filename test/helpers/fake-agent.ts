// The agent's real managers and gRPC server over fake host operations, in this process and without
// root: a temporary state directory, a real StateStore, and optionally the real server on a
// temporary unix socket with the real client. What a unit test of the agent starts from.
import * as grpc from "@grpc/grpc-js";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { connect, type QvmdClient } from "@pulumi-qemu/api";
import { Bridges } from "../../agent/src/bridge/manager";
import { type Config, configShape } from "../../agent/src/config";
import { paths, type StatePaths } from "../../agent/src/constants";
import type { InstanceSpec } from "../../agent/src/instance/spec";
import { QvmdError } from "../../agent/src/errors";
import { DnsForwarders } from "../../agent/src/dnsForwarder/manager";
import { Images } from "../../agent/src/image/manager";
import { Instances } from "../../agent/src/instance/manager";
import { Networks } from "../../agent/src/network/manager";
import type { NetworkSpec } from "../../agent/src/network/spec";
import type { Caller } from "../../agent/src/peer/creds";
import { listenWithPeerCredentials } from "../../agent/src/peer/listen";
import { Topology } from "../../agent/src/policy/topology";
import { createServer } from "../../agent/src/server";
import { StateStore } from "../../agent/src/state";
import { FakeBridgeHost, FakeNetworkHost } from "./fake-net-host";
import { FakeDnsForwarderHost } from "./fake-dns-host";
import { FakeImageHost } from "./fake-image-host";
import { FakeInstanceHost } from "./fake-vm-host";
import { Templates } from "../../agent/src/template/manager";

export class FakeAgent {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-unit-"));
  readonly p: StatePaths = paths({
    stateDir: path.join(this.dir, "state"),
    runDir: path.join(this.dir, "run"),
  });
  readonly net = new FakeNetworkHost();
  readonly bridgeHost = new FakeBridgeHost();
  readonly imageHost = new FakeImageHost();
  readonly vm = new FakeInstanceHost();
  readonly dnsHost = new FakeDnsForwarderHost();
  readonly logs: string[] = [];
  /** The admin's config: the defaults, plus the fake host's NICs and bridge as allowed. */
  readonly config: Config = configShape.parse({
    bridges: { uplinks: ["eth1", "eth2", "eth9"], adoptable: ["br-lan", "qvlan", "qvnone"] },
  });
  readonly topology = new Topology();
  state!: StateStore;
  networks!: Networks;
  images!: Images;
  bridges!: Bridges;
  instances!: Instances;
  templates!: Templates;
  dns!: DnsForwarders;
  private server?: grpc.Server;
  private listener?: net.Server;
  private clients: QvmdClient[] = [];

  constructor() {
    fs.mkdirSync(this.p.blobsDir, { recursive: true });
    this.boot();
  }

  /** Managers over the same state file and the same fake host: what a restarted qvmd sees. */
  boot(): void {
    this.instances?.close();
    const log = (m: string) => this.logs.push(m);
    this.state = new StateStore(this.p);
    this.networks = new Networks(this.p, this.state, this.net, (netId) =>
      this.dns ? this.dns.gatewayServices(netId) : {},
    );
    this.images = new Images(this.p, this.state, this.imageHost);
    this.bridges = new Bridges(this.state, this.bridgeHost, this.config.bridges);
    this.instances = new Instances(
      this.p,
      this.state,
      this.images,
      this.networks,
      this.bridges,
      log,
      this.vm,
      this.config.portForwards,
      this.topology,
    );
    this.templates = new Templates(
      this.p,
      this.state,
      this.images,
      this.networks,
      (n) => this.instances.addresses.leases(n),
      log,
      this.vm,
    );
    this.dns = new DnsForwarders(
      this.state,
      this.networks,
      (id) => this.instances.hostsOn(id),
      log,
      this.dnsHost,
      53,
    );
    this.instances.onAddressesChanged = () => this.dns.refreshHosts();
  }

  /** An http source the fake image host serves (qvmd itself never reads file://). */
  source(name: string, bytes: Buffer): string {
    const url = `http://images.test/${name}`;
    this.imageHost.sources.set(url, bytes);
    return url;
  }

  /** The real gRPC server over these managers, on a temporary unix socket, and a real client. */
  async serve(): Promise<QvmdClient> {
    const socket = path.join(this.dir, "qvmd.sock");
    if (!this.server) {
      this.server = createServer({
        networks: this.networks,
        images: this.images,
        instances: this.instances,
        templates: this.templates,
        dns: this.dns,
        bridges: this.bridges,
        version: "test",
        stateDir: this.p.stateFile,
        paths: this.p,
        config: this.config,
        state: this.state,
        topology: this.topology,
        log: (m) => this.logs.push(m),
      });
      // Accepted as qvmd does, so every call has a caller (this process: root when run as root).
      this.listener = await listenWithPeerCredentials(this.server, socket, (m) => this.logs.push(m));
    }
    const client = connect(socket, 10000);
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    this.listener?.close();
    if (this.server) await new Promise<void>((r) => this.server!.tryShutdown(() => r()));
    this.instances.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Root, as the caller of a manager's method in these tests. */
export const ROOT: Caller = { uid: 0, gid: 0, pid: 1 };

/** A network spec as the server passes it (parsed, defaults filled in). */
export const netSpec = (over: Partial<NetworkSpec> = {}): NetworkSpec => ({
  id: "a",
  cidr: "10.50.0.0/24",
  gateway: "",
  dhcp: { enabled: true, range_start: "", range_end: "", lease_time_seconds: 0, reservations: [] },
  nat: true,
  isolated: false,
  mtu: 0,
  owner: "",
  ...over,
});

/** Awaits a QvmdError with this code (and property). */
export async function rejects(p: Promise<unknown>, code: string, property?: string): Promise<QvmdError> {
  const e = await p.then(
    () => assert.fail(`expected ${code}`),
    (x: unknown) => x,
  );
  assert.ok(e instanceof QvmdError, `expected a QvmdError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (property !== undefined) assert.equal(e.opts.property, property);
  return e;
}

/** An instance's spec as the wire gives it: one NIC on n1, booted from "img"; `over` changes it. */
export const instanceSpec = (over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  id: "v1",
  image_id: "img",
  cpus: 1,
  memory_mb: 512,
  disk_gb: 0,
  nics: [{ network_id: "n1", bridge_id: "", mac: "52:54:00:00:00:01", ip: "" }],
  hostname: "",
  user_data: "",
  meta_data: "",
  network_config: "",
  ssh_authorized_keys: [],
  running: true,
  accel: "",
  machine: "",
  wait_for_ip_seconds: 30,
  wait_for: "",
  template_id: "",
  owner: "",
  port_forwards: [],
  ...over,
});

/** What the instance tests stand on: networks n1 (10.50.0.0/24) and n2 (10.51.0.0/24), image "img". */
export async function networksAndImage(a: FakeAgent): Promise<void> {
  await a.networks.apply(netSpec({ id: "n1", cidr: "10.50.0.0/24" }), 0);
  await a.networks.apply(netSpec({ id: "n2", cidr: "10.51.0.0/24" }), 0);
  const src = a.source("disk.img", Buffer.alloc(1024));
  await a.images.apply({ id: "img", source: src } as never, () => undefined, ROOT);
}
