// The gRPC face of qvmd: validate every request as hostile (zod), call the managers, and translate
// QvmdError into gRPC statuses here and only here.
import * as grpc from "@grpc/grpc-js";
import { loadQvmd, toStatus as wireStatus, type wire } from "@pulumi-qemu/api";
import { formatCidr, formatIp } from "@pulumi-qemu/api/validate";
import { z } from "zod";
import type { Bridges, BridgeStatus } from "./bridge/manager";
import { bridgeSpecShape } from "./bridge/spec";
import { ID_PATTERN } from "./constants";
import type { DnsForwarders, DnsForwarderStatus } from "./dnsForwarder/manager";
import { dnsForwarderSpecShape } from "./dnsForwarder/spec";
import { QvmdError } from "./errors";
import { imageSpecShape } from "./image/spec";
import type { Images, ImageStatus } from "./image/manager";
import type { Instances, InstanceStatus } from "./instance/manager";
import { instanceSpecShape } from "./instance/spec";
import { describe, type NetworkStatus, type Networks } from "./network/manager";
import { networkSpecShape } from "./network/spec";

const idShape = z.object({ id: z.string().regex(ID_PATTERN, "must be 1-8 characters of a-z, 0-9") });
const specRequest = z.object({ spec: networkSpecShape });

function toStatus(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof QvmdError)
    return wireStatus({ kind: e.kind, code: e.code, message: e.message, ...e.opts });
  if (e instanceof z.ZodError) {
    const details = e.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ");
    return wireStatus({
      kind: "invalid",
      code: "BAD_REQUEST",
      message: `malformed request: ${details}`,
      property: e.issues[0]?.path.join("."),
    });
  }
  return wireStatus({
    kind: "internal",
    code: "INTERNAL",
    message: e instanceof Error ? e.message : String(e),
  });
}

function unary<Req, Res>(log: (m: string) => void, name: string, fn: (req: Req) => Promise<Res>) {
  return (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
    fn(call.request).then(
      (res) => cb(null, res),
      (e: unknown) => {
        const s = toStatus(e);
        log(`${name} failed: ${s.details}`);
        cb(s as grpc.ServiceError);
      },
    );
  };
}

function toWire(s: NetworkStatus): wire.Network {
  const n = s.network;
  const d = describe(n);
  return {
    spec: {
      id: n.id,
      cidr: formatCidr(n.cidr),
      gateway: d.gateway,
      dhcp: {
        enabled: n.dhcp.enabled,
        range_start: d.rangeStart,
        range_end: d.rangeEnd,
        lease_time_seconds: n.dhcp.leaseSeconds,
        reservations: n.dhcp.reservations.map((r) => ({
          mac: r.mac,
          ip: formatIp(r.ip),
          hostname: r.hostname,
        })),
      },
      nat: n.nat,
      isolated: n.isolated,
      mtu: n.mtu,
      owner: n.owner,
    },
    namespace: d.namespace,
    bridge: d.bridge,
    host_interface: d.hostInterface,
    dhcp_server_address: d.dhcpServer,
    dhcp_range_start: d.rangeStart,
    dhcp_range_end: d.rangeEnd,
    drift: s.drift,
    firewall_state: s.firewall.state,
    firewall_last_error: s.firewall.lastError ?? "",
    firewall_last_repaired_at: s.firewall.lastRepairedAt ?? "",
  };
}

function streaming<Req, Ev>(
  log: (m: string) => void,
  name: string,
  fn: (req: Req, emit: (ev: Ev) => void) => Promise<Ev>,
) {
  return (call: grpc.ServerWritableStream<Req, Ev>) => {
    fn(call.request, (ev) => call.write(ev)).then(
      (last) => {
        call.write(last);
        call.end();
      },
      (e: unknown) => {
        const s = toStatus(e);
        log(`${name} failed: ${s.details}`);
        call.emit("error", s);
      },
    );
  };
}

function imageToWire(s: ImageStatus): wire.Image {
  const i = s.image;
  return {
    spec: {
      id: i.id,
      source: i.source.href,
      sha256: i.sha256,
      format: s.record.format,
      kernel: i.kernel?.href ?? "",
      initrd: i.initrd?.href ?? "",
      cmdline: i.cmdline,
      arch: i.arch,
      firmware: i.firmware,
      owner: i.owner,
    },
    path: s.path,
    sha256: s.record.sha256,
    size_bytes: s.record.sizeBytes,
    virtual_size_bytes: s.record.virtualSizeBytes,
    kernel_path: s.kernelPath ?? "",
    initrd_path: s.initrdPath ?? "",
  };
}

function instanceToWire(s: InstanceStatus): wire.Instance {
  const i = s.instance;
  return {
    spec: {
      ...i,
      nics: i.nics.map((n) => ({
        network_id: n.networkId ?? "",
        bridge_id: n.bridgeId ?? "",
        mac: n.mac,
        ip: n.ip === undefined ? "" : formatIp(n.ip),
      })),
    },
    state: s.state,
    pid: s.pid,
    nics: s.nics.map((n) => ({
      bridge_id: n.bridgeId,
      network_id: n.networkId,
      mac: n.mac,
      tap: n.tap,
      ip: n.ip,
      source: n.source,
    })),
    serial_log: s.serialLog,
    accel: s.accel,
    disk_gb: s.diskGb,
  };
}

const progressEvent = (message: string, done = 0, total = 0) => ({ progress: { message, done, total } });

function dnsToWire(s: DnsForwarderStatus): wire.DnsForwarder {
  return {
    spec: s.spec,
    address: s.address,
    port: s.port,
    upstream_source: s.upstreamSource,
    upstreams_in_effect: s.upstreams,
    names: s.names,
  };
}

function bridgeToWire(s: BridgeStatus): wire.Bridge {
  return { spec: s.spec, addresses: s.addresses, moved_addresses: s.moved, drift: s.drift };
}

export interface ServerDeps {
  networks: Networks;
  images: Images;
  instances: Instances;
  dns: DnsForwarders;
  bridges: Bridges;
  version: string;
  stateDir: string;
  log: (m: string) => void;
}

export function createServer(deps: ServerDeps): grpc.Server {
  const { qvmd } = loadQvmd();
  const { networks, images, instances, dns, bridges, log } = deps;
  const handlers: wire.QvmdHandlers = {
    Health: unary(log, "Health", async () => ({
      version: deps.version,
      pid: process.pid,
      state_dir: deps.stateDir,
    })),
    CheckNetwork: unary(log, "CheckNetwork", async (req) => {
      const { spec } = specRequest.parse(req);
      return { violations: await networks.check(spec) };
    }),
    ApplyNetwork: unary(log, "ApplyNetwork", async (req) =>
      toWire(await networks.apply(specRequest.parse(req).spec)),
    ),
    GetNetwork: unary(log, "GetNetwork", async (req) => toWire(await networks.get(idShape.parse(req).id))),
    ListNetworks: unary(log, "ListNetworks", async () => ({ networks: (await networks.list()).map(toWire) })),
    DeleteNetwork: unary(log, "DeleteNetwork", async (req) => {
      // idShape keeps a hostile id from ever reaching a path or a kernel name.
      const { id } = idShape.parse(req);
      return { existed: await networks.delete(id) };
    }),
    ApplyImage: streaming(log, "ApplyImage", async (req, emit) => {
      const { spec } = z.object({ spec: imageSpecShape }).parse(req);
      const s = await images.apply(spec, (m, d, t) => emit(progressEvent(m, d, t)));
      return { image: imageToWire(s) };
    }),
    GetImage: unary(log, "GetImage", async (req) => imageToWire(images.get(idShape.parse(req).id))),
    DeleteImage: unary(log, "DeleteImage", async (req) => ({
      existed: await images.delete(idShape.parse(req).id),
    })),
    ApplyInstance: streaming(log, "ApplyInstance", async (req, emit) => {
      const { spec } = z.object({ spec: instanceSpecShape }).parse(req);
      const s = await instances.apply(spec, (m, d, t) => emit(progressEvent(m, d, t)));
      return { instance: instanceToWire(s) };
    }),
    CheckInstance: unary(log, "CheckInstance", async (req) => ({
      violations: await instances.check(z.object({ spec: instanceSpecShape }).parse(req).spec),
    })),
    GetInstance: unary(log, "GetInstance", async (req) =>
      instanceToWire(await instances.status(idShape.parse(req).id)),
    ),
    ApplyBridge: unary(log, "ApplyBridge", async (req) =>
      bridgeToWire(await bridges.apply(z.object({ spec: bridgeSpecShape }).parse(req).spec)),
    ),
    GetBridge: unary(log, "GetBridge", async (req) =>
      bridgeToWire(await bridges.status(idShape.parse(req).id)),
    ),
    DeleteBridge: unary(log, "DeleteBridge", async (req) => {
      const { id } = idShape.parse(req);
      return { existed: await bridges.delete(id, instances.usersOfBridge(id)) };
    }),
    ApplyDnsForwarder: unary(log, "ApplyDnsForwarder", async (req) =>
      dnsToWire(await dns.apply(z.object({ spec: dnsForwarderSpecShape }).parse(req).spec)),
    ),
    GetDnsForwarder: unary(log, "GetDnsForwarder", async (req) =>
      dnsToWire(await dns.status(idShape.parse(req).id)),
    ),
    DeleteDnsForwarder: unary(log, "DeleteDnsForwarder", async (req) => ({
      existed: await dns.delete(idShape.parse(req).id),
    })),
    DeleteInstance: unary(log, "DeleteInstance", async (req) => ({
      existed: await instances.delete(idShape.parse(req).id),
    })),
  };
  const server = new grpc.Server();
  server.addService(qvmd.v1.Qvmd.service, handlers);
  return server;
}
