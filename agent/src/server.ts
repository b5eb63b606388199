// The gRPC face of qvmd: each request is checked against its wire shape (zod; the caller may be
// hostile) by its resource's spec.ts, handed to a manager, and the result mapped back by wire.ts.
// Every call has a caller (the peer's uid from SO_PEERCRED, peer/listen.ts; rpc.ts), and
// policy/access.ts decides what that caller may do.
import * as grpc from "@grpc/grpc-js";
import { loadQvmd, type wire } from "@pulumi-qemu/api";
import { z } from "zod";
import type { Bridges } from "./bridge/manager";
import { specOf as bridgeSpec } from "./bridge/spec";
import { bridgeToWire } from "./bridge/wire";
import type { Config } from "./config";
import { ID_PATTERN, type StatePaths } from "./constants";
import type { DnsForwarders } from "./dnsForwarder/manager";
import { specOf as dnsForwarderSpec } from "./dnsForwarder/spec";
import { dnsForwarderToWire } from "./dnsForwarder/wire";
import { parseRequest } from "./errors";
import type { Images } from "./image/manager";
import { specOf as imageSpec } from "./image/spec";
import { receive } from "./image/upload";
import { imageToWire } from "./image/wire";
import type { Instances } from "./instance/manager";
import { specOf as instanceSpec } from "./instance/spec";
import { instanceToWire } from "./instance/wire";
import type { Networks } from "./network/manager";
import { specOf as networkSpec } from "./network/spec";
import { networkToWire } from "./network/wire";
import { accessRules } from "./policy/access";
import type { Topology } from "./policy/topology";
import { type Ctx, progressEvent, replying, streaming, tolerantDecoding, unary } from "./rpc";
import type { StateStore } from "./state";
import { specOf as templateSpec } from "./template/spec";
import type { Templates } from "./template/manager";
import { templateToWire } from "./template/wire";
import { refusalLog } from "./util/refusals";

// The id keeps a hostile value from ever reaching a path or a kernel name.
const idRequest = z.object({ id: z.string().regex(ID_PATTERN, "must be 1-8 characters of a-z, 0-9") });
const idOf = (req: unknown) => parseRequest(idRequest, req).id;

export interface ServerDeps {
  networks: Networks;
  images: Images;
  instances: Instances;
  templates: Templates;
  dns: DnsForwarders;
  bridges: Bridges;
  version: string;
  stateDir: string;
  paths: StatePaths;
  config: Config;
  state: StateStore;
  topology: Topology;
  /** What qvmd worked around since it started (Health reports it). */
  problems?: () => string[];
  log: (m: string) => void;
}

export function createServer(deps: ServerDeps): grpc.Server {
  const { qvmd } = loadQvmd();
  const { networks, images, instances, templates, dns, bridges, topology } = deps;
  const a = accessRules(deps.state, deps.config.quotas);
  const ctx: Ctx = { log: deps.log, refused: refusalLog(deps.log), unreadable: deps.state.unreadable };
  const handlers: wire.QvmdHandlers = {
    Health: unary(ctx, "Health", async (_req, c) => ({
      version: deps.version,
      pid: process.pid,
      state_dir: deps.stateDir,
      caller_uid: c.uid,
      caller_gid: c.gid,
      problems: deps.problems?.() ?? [],
    })),
    CheckNetwork: unary(ctx, "CheckNetwork", async (req, c) => ({
      violations: await networks.check(networkSpec(req), c.uid),
    })),
    ApplyNetwork: unary(ctx, "ApplyNetwork", async (req, c) => {
      const spec = networkSpec(req);
      a.mayAct(c, "network", spec.id);
      a.quota(c, "networks", spec.id);
      return networkToWire(await networks.apply(spec, c.uid));
    }),
    GetNetwork: unary(ctx, "GetNetwork", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "network", id);
      return networkToWire(await networks.get(id));
    }),
    ListNetworks: unary(ctx, "ListNetworks", async (_req, c) => {
      const mine = a.listed(c, "network");
      return { networks: (await networks.list()).filter((s) => mine.has(s.network.id)).map(networkToWire) };
    }),
    DeleteNetwork: unary(ctx, "DeleteNetwork", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "network", id);
      const del = () => networks.delete(id);
      return { existed: await topology.delete("network", id, a.unused("network_id", id), del) };
    }),
    UploadBlob: replying(
      ctx,
      "UploadBlob",
      async (call: Parameters<wire.QvmdHandlers["UploadBlob"]>[0], c) => {
        const r = await receive(call, deps.paths.uploadsDir, deps.config.uploads.maxBytes);
        await images.keepUpload(r, c);
        return { sha256: r.sha256, size_bytes: r.sizeBytes };
      },
    ),
    ApplyImage: streaming(ctx, "ApplyImage", async (req, emit, c, cancelled) => {
      const spec = imageSpec(req);
      a.mayAct(c, "image", spec.id);
      a.quota(c, "images", spec.id);
      const s = await images.apply(spec, (m, d, t) => emit(progressEvent(m, d, t)), c, cancelled);
      return { image: imageToWire(s) };
    }),
    GetImage: unary(ctx, "GetImage", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "image", id);
      return imageToWire(images.get(id));
    }),
    DeleteImage: unary(ctx, "DeleteImage", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "image", id);
      // An image may go while instances use it (their blobs stay), but not between an instance's
      // check and its record.
      const del = () => images.delete(id);
      return { existed: await topology.delete("image", id, () => undefined, del) };
    }),
    CheckInstance: unary(ctx, "CheckInstance", async (req, c) => {
      const spec = instanceSpec(req);
      a.instanceRefs(c, spec);
      return { violations: await instances.check(spec, c.uid) };
    }),
    ApplyInstance: streaming(ctx, "ApplyInstance", async (req, emit, c, cancelled) => {
      const spec = instanceSpec(req);
      a.mayAct(c, "instance", spec.id);
      a.instanceRefs(c, spec);
      a.quota(c, "instances", spec.id, a.instanceUsage(spec));
      const s = await instances.apply(spec, (m, d, t) => emit(progressEvent(m, d, t)), c.uid, { cancelled });
      return { instance: instanceToWire(s) };
    }),
    GetInstance: unary(ctx, "GetInstance", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "instance", id);
      return instanceToWire(await instances.status(id));
    }),
    DeleteInstance: unary(ctx, "DeleteInstance", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "instance", id);
      return { existed: await instances.delete(id) };
    }),
    ApplyBridge: unary(ctx, "ApplyBridge", async (req, c) => {
      const spec = bridgeSpec(req);
      a.mayAct(c, "bridge", spec.id);
      a.quota(c, "bridges", spec.id);
      return bridgeToWire(await bridges.apply(spec, c.uid));
    }),
    GetBridge: unary(ctx, "GetBridge", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "bridge", id);
      return bridgeToWire(await bridges.status(id));
    }),
    DeleteBridge: unary(ctx, "DeleteBridge", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "bridge", id);
      const del = () => bridges.delete(id, () => instances.usersOfBridge(id));
      return { existed: await topology.delete("bridge", id, a.unused("bridge_id", id), del) };
    }),
    ApplyDnsForwarder: unary(ctx, "ApplyDnsForwarder", async (req, c) => {
      const spec = dnsForwarderSpec(req);
      a.mayAct(c, "DNS forwarder", spec.id);
      a.mayUse(c, "network", spec.network_id, "networkId");
      a.quota(c, "dnsForwarders", spec.id);
      return dnsForwarderToWire(await dns.apply(spec, c.uid));
    }),
    GetDnsForwarder: unary(ctx, "GetDnsForwarder", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "DNS forwarder", id);
      return dnsForwarderToWire(await dns.status(id));
    }),
    DeleteDnsForwarder: unary(ctx, "DeleteDnsForwarder", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "DNS forwarder", id);
      return { existed: await dns.delete(id) };
    }),
    ApplyTemplate: streaming(ctx, "ApplyTemplate", async (req, emit, c) => {
      const spec = templateSpec(req);
      a.mayAct(c, "template", spec.id);
      a.mayUse(c, "image", spec.image_id, "imageId");
      a.mayUse(c, "network", spec.network_id, "networkId");
      a.templateQuota(c, spec);
      const t = await templates.apply(spec, (m) => emit(progressEvent(m)), c.uid);
      return { template: templateToWire(t) };
    }),
    GetTemplate: unary(ctx, "GetTemplate", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "template", id);
      return templateToWire(await templates.status(id));
    }),
    DeleteTemplate: unary(ctx, "DeleteTemplate", async (req, c) => {
      const id = idOf(req);
      a.mayAct(c, "template", id);
      return { existed: await templates.delete(id) };
    }),
    ListInstances: unary(ctx, "ListInstances", async (_req, c) => {
      const mine = a.listed(c, "instance");
      return { instances: (await instances.list(mine)).map(instanceToWire) };
    }),
    ListImages: unary(ctx, "ListImages", async (_req, c) => {
      const mine = a.listed(c, "image");
      return { images: images.list(mine).map(imageToWire) };
    }),
    ListDnsForwarders: unary(ctx, "ListDnsForwarders", async (_req, c) => {
      const mine = a.listed(c, "DNS forwarder");
      return { dns_forwarders: (await dns.list(mine)).map(dnsForwarderToWire) };
    }),
    ListBridges: unary(ctx, "ListBridges", async (_req, c) => {
      const mine = a.listed(c, "bridge");
      return { bridges: (await bridges.list(mine)).map(bridgeToWire) };
    }),
  };
  const server = new grpc.Server();
  server.addService(tolerantDecoding(qvmd.v1.Qvmd.service), handlers);
  return server;
}
