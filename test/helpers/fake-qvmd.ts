// An in-process stand-in for qvmd serving the real proto on a unix socket, for tests of the
// provider that need no root: objects live in maps, every call is recorded, and any RPC can be
// made to fail with an agent error (code, property, hint) or a bare gRPC status.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadQvmd, type RpcName, toStatus, type WireError, type wire } from "@pulumi-qemu/api";

type Failure = WireError | grpc.status;

export class FakeQvmd {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-fake-"));
  readonly socket = path.join(this.dir, "qvmd.sock");
  readonly calls: { rpc: RpcName; request: unknown }[] = [];
  readonly networks = new Map<string, wire.NetworkSpec__Output>();
  readonly images = new Map<string, wire.ImageSpec__Output>();
  readonly instances = new Map<string, wire.InstanceSpec__Output>();
  readonly templates = new Map<string, wire.TemplateSpec__Output>();
  readonly bridges = new Map<string, wire.BridgeSpec__Output>();
  readonly forwarders = new Map<string, wire.DnsForwarderSpec__Output>();
  /** The next call of an RPC fails this way (once). */
  readonly failNext = new Map<RpcName, Failure>();
  /** Violations CheckNetwork and CheckInstance report. */
  violations: wire.Violation[] = [];
  private readonly server = new grpc.Server();

  private failure(rpc: RpcName, request: unknown): grpc.ServiceError | undefined {
    this.calls.push({ rpc, request });
    const f = this.failNext.get(rpc);
    if (f === undefined) return undefined;
    this.failNext.delete(rpc);
    if (typeof f === "number") return { code: f, details: `fake ${grpc.status[f]}` } as grpc.ServiceError;
    return toStatus(f) as grpc.ServiceError;
  }

  private unary<Req, Res>(rpc: RpcName, fn: (req: Req) => Res) {
    return (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
      const e = this.failure(rpc, call.request);
      if (e) cb(e);
      else {
        try {
          cb(null, fn(call.request));
        } catch (x) {
          cb(x as grpc.ServiceError);
        }
      }
    };
  }

  private get<T>(map: Map<string, T>, id: string, code: WireError["code"]): T {
    const v = map.get(id);
    if (!v) throw toStatus({ kind: "not_found", code, message: `no ${id}` });
    return v;
  }

  private network = (s: wire.NetworkSpec__Output): wire.Network => {
    const base = s.cidr.split("/")[0]!.split(".").slice(0, 3).join(".");
    return {
      spec: { ...s, gateway: s.gateway || `${base}.1` },
      namespace: `qvm-${s.id}`,
      bridge: `qvm${s.id}b`,
      host_interface: `qvm${s.id}h`,
      dhcp_server_address: `${base}.254`,
      dhcp_range_start: `${base}.2`,
      dhcp_range_end: `${base}.253`,
      drift: [],
      firewall_state: "ok",
    };
  };

  private image = (s: wire.ImageSpec__Output): wire.Image => ({
    spec: { ...s, format: s.format || "qcow2", firmware: s.firmware || "bios" },
    path: `/fake/blobs/${s.id}`,
    sha256: s.sha256 || "0".repeat(64),
    size_bytes: 1024,
    virtual_size_bytes: 4096,
  });

  private instance = (s: wire.InstanceSpec__Output): wire.Instance => ({
    spec: s,
    state: s.running ? "running" : "stopped",
    pid: s.running ? 4242 : 0,
    nics: s.nics.map((n, k) => ({ ...n, tap: `qvt${s.id}${k}`, ip: `10.0.0.${10 + k}`, source: "dhcp" })),
    serial_log: `/fake/instances/${s.id}/serial.log`,
    accel: "tcg",
    disk_gb: s.disk_gb || 1,
  });

  private template = (s: wire.TemplateSpec__Output): wire.Template => ({
    spec: s,
    state: "ready",
    state_bytes: 400000,
    memory_bytes: 100000000,
    boot_ms: 9000,
    save_ms: 100,
    image_id: s.image_id,
    users: [],
    serial_log: `/fake/templates/${s.id}/serial.log`,
    accel: "tcg",
  });

  private bridge = (s: wire.BridgeSpec__Output): wire.Bridge => ({ spec: s, addresses: [], drift: [] });

  private forwarder = (s: wire.DnsForwarderSpec__Output): wire.DnsForwarder => ({
    spec: s,
    address: "10.0.0.1",
    port: 53,
    upstream_source: "auto",
    upstreams_in_effect: ["127.0.0.53"],
    names: [],
  });

  private streaming<Req extends { spec?: S | null }, S, Ev>(
    rpc: RpcName,
    apply: (s: S) => Ev,
  ): grpc.handleServerStreamingCall<Req, Ev> {
    return (call) => {
      const e = this.failure(rpc, call.request);
      if (e) {
        call.emit("error", e);
        return;
      }
      call.write({ progress: { message: "working", done: 1, total: 2 } } as Ev);
      call.write(apply(call.request.spec!));
      call.end();
    };
  }

  async start(): Promise<this> {
    const keep = <S extends { id: string }>(map: Map<string, S>, s: S) => (map.set(s.id, s), s);
    const handlers: wire.QvmdHandlers = {
      Health: this.unary("Health", () => ({
        version: "fake",
        pid: process.pid,
        state_dir: this.dir,
        problems: [],
      })),
      CheckNetwork: this.unary("CheckNetwork", () => ({ violations: this.violations })),
      ApplyNetwork: this.unary("ApplyNetwork", (r: wire.ApplyNetworkRequest__Output) =>
        this.network(keep(this.networks, r.spec!)),
      ),
      GetNetwork: this.unary("GetNetwork", (r: wire.GetNetworkRequest__Output) =>
        this.network(this.get(this.networks, r.id, "NET_NOT_FOUND")),
      ),
      ListNetworks: this.unary("ListNetworks", () => ({
        networks: [...this.networks.values()].map(this.network),
      })),
      DeleteNetwork: this.unary("DeleteNetwork", (r: wire.DeleteNetworkRequest__Output) => ({
        existed: this.networks.delete(r.id),
      })),
      // The client uploads a file:// source first (qvmd reads no caller-named path): hashed here.
      UploadBlob: (call, cb) => {
        const e = this.failure("UploadBlob", {});
        if (e) return cb(e);
        const h = createHash("sha256");
        let size = 0;
        call.on("data", (c: wire.UploadChunk__Output) => {
          if (!c.data) return;
          h.update(c.data);
          size += c.data.length;
        });
        call.on("end", () => cb(null, { sha256: h.digest("hex"), size_bytes: size }));
      },
      ApplyImage: this.streaming("ApplyImage", (s: wire.ImageSpec__Output) => ({
        image: this.image(keep(this.images, s)),
      })),
      GetImage: this.unary("GetImage", (r: wire.GetImageRequest__Output) =>
        this.image(this.get(this.images, r.id, "IMAGE_NOT_FOUND")),
      ),
      DeleteImage: this.unary("DeleteImage", (r: wire.DeleteImageRequest__Output) => ({
        existed: this.images.delete(r.id),
      })),
      CheckInstance: this.unary("CheckInstance", () => ({ violations: this.violations })),
      ApplyInstance: this.streaming("ApplyInstance", (s: wire.InstanceSpec__Output) => ({
        instance: this.instance(keep(this.instances, s)),
      })),
      GetInstance: this.unary("GetInstance", (r: wire.GetInstanceRequest__Output) =>
        this.instance(this.get(this.instances, r.id, "INSTANCE_NOT_FOUND")),
      ),
      DeleteInstance: this.unary("DeleteInstance", (r: wire.DeleteInstanceRequest__Output) => ({
        existed: this.instances.delete(r.id),
      })),
      ApplyTemplate: this.streaming("ApplyTemplate", (s: wire.TemplateSpec__Output) => ({
        template: this.template(keep(this.templates, s)),
      })),
      GetTemplate: this.unary("GetTemplate", (r: wire.GetTemplateRequest__Output) =>
        this.template(this.get(this.templates, r.id, "TEMPLATE_NOT_FOUND")),
      ),
      DeleteTemplate: this.unary("DeleteTemplate", (r: wire.DeleteTemplateRequest__Output) => ({
        existed: this.templates.delete(r.id),
      })),
      ApplyBridge: this.unary("ApplyBridge", (r: wire.ApplyBridgeRequest__Output) =>
        this.bridge(keep(this.bridges, r.spec!)),
      ),
      GetBridge: this.unary("GetBridge", (r: wire.GetBridgeRequest__Output) =>
        this.bridge(this.get(this.bridges, r.id, "BRIDGE_NOT_FOUND")),
      ),
      DeleteBridge: this.unary("DeleteBridge", (r: wire.DeleteBridgeRequest__Output) => ({
        existed: this.bridges.delete(r.id),
      })),
      ApplyDnsForwarder: this.unary("ApplyDnsForwarder", (r: wire.ApplyDnsForwarderRequest__Output) =>
        this.forwarder(keep(this.forwarders, r.spec!)),
      ),
      GetDnsForwarder: this.unary("GetDnsForwarder", (r: wire.GetDnsForwarderRequest__Output) =>
        this.forwarder(this.get(this.forwarders, r.id, "DNS_FORWARDER_NOT_FOUND")),
      ),
      DeleteDnsForwarder: this.unary("DeleteDnsForwarder", (r: wire.DeleteDnsForwarderRequest__Output) => ({
        existed: this.forwarders.delete(r.id),
      })),
      ListInstances: this.unary("ListInstances", () => ({
        instances: [...this.instances.values()].map(this.instance),
      })),
      ListImages: this.unary("ListImages", () => ({ images: [...this.images.values()].map(this.image) })),
      ListDnsForwarders: this.unary("ListDnsForwarders", () => ({
        dns_forwarders: [...this.forwarders.values()].map(this.forwarder),
      })),
      ListBridges: this.unary("ListBridges", () => ({
        bridges: [...this.bridges.values()].map(this.bridge),
      })),
    };
    this.server.addService(loadQvmd().qvmd.v1.Qvmd.service, handlers);
    await new Promise<void>((resolve, reject) =>
      this.server.bindAsync(`unix://${this.socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    return this;
  }

  /** RPC names called so far, in order. */
  get rpcs(): RpcName[] {
    return this.calls.map((c) => c.rpc);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.tryShutdown(() => r()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
