// The gRPC face of qvmd: each request is checked against its wire shape (zod; the caller may be
// hostile) by its resource's spec.ts, handed to a manager, and the result mapped back by wire.ts.
// QvmdError becomes a gRPC status here and only here.
import * as grpc from "@grpc/grpc-js";
import { loadQvmd, toStatus as wireStatus, type wire } from "@pulumi-qemu/api";
import { z } from "zod";
import type { Bridges } from "./bridge/manager";
import { specOf as bridgeSpec } from "./bridge/spec";
import { bridgeToWire } from "./bridge/wire";
import { ID_PATTERN } from "./constants";
import type { DnsForwarders } from "./dnsForwarder/manager";
import { specOf as dnsForwarderSpec } from "./dnsForwarder/spec";
import { dnsForwarderToWire } from "./dnsForwarder/wire";
import { QvmdError, parseRequest, propertyOf } from "./errors";
import type { Images } from "./image/manager";
import { specOf as imageSpec } from "./image/spec";
import { imageToWire } from "./image/wire";
import type { Instances } from "./instance/manager";
import { specOf as instanceSpec } from "./instance/spec";
import { instanceToWire } from "./instance/wire";
import type { Networks } from "./network/manager";
import { specOf as networkSpec } from "./network/spec";
import { networkToWire } from "./network/wire";

// The id keeps a hostile value from ever reaching a path or a kernel name.
const idRequest = z.object({ id: z.string().regex(ID_PATTERN, "must be 1-8 characters of a-z, 0-9") });
const idOf = (req: unknown) => parseRequest(idRequest, req).id;

function toStatus(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof QvmdError)
    return wireStatus({ kind: e.kind, code: e.code, message: e.message, ...e.opts });
  // A spec re-read from the state that no longer parses: ours to fix, not the caller's.
  if (e instanceof z.ZodError) {
    const details = e.issues.map((i) => `${propertyOf(i.path) || "spec"}: ${i.message}`).join("; ");
    return wireStatus({ kind: "internal", code: "STATE_CORRUPT", message: `recorded spec: ${details}` });
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

const progressEvent = (message: string, done = 0, total = 0) => ({ progress: { message, done, total } });

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
    CheckNetwork: unary(log, "CheckNetwork", async (req) => ({
      violations: await networks.check(networkSpec(req)),
    })),
    ApplyNetwork: unary(log, "ApplyNetwork", async (req) =>
      networkToWire(await networks.apply(networkSpec(req))),
    ),
    GetNetwork: unary(log, "GetNetwork", async (req) => networkToWire(await networks.get(idOf(req)))),
    ListNetworks: unary(log, "ListNetworks", async () => ({
      networks: (await networks.list()).map(networkToWire),
    })),
    DeleteNetwork: unary(log, "DeleteNetwork", async (req) => ({
      existed: await networks.delete(idOf(req)),
    })),
    ApplyImage: streaming(log, "ApplyImage", async (req, emit) => {
      const s = await images.apply(imageSpec(req), (m, d, t) => emit(progressEvent(m, d, t)));
      return { image: imageToWire(s) };
    }),
    GetImage: unary(log, "GetImage", async (req) => imageToWire(images.get(idOf(req)))),
    DeleteImage: unary(log, "DeleteImage", async (req) => ({ existed: await images.delete(idOf(req)) })),
    CheckInstance: unary(log, "CheckInstance", async (req) => ({
      violations: await instances.check(instanceSpec(req)),
    })),
    ApplyInstance: streaming(log, "ApplyInstance", async (req, emit) => {
      const s = await instances.apply(instanceSpec(req), (m, d, t) => emit(progressEvent(m, d, t)));
      return { instance: instanceToWire(s) };
    }),
    GetInstance: unary(log, "GetInstance", async (req) => instanceToWire(await instances.status(idOf(req)))),
    DeleteInstance: unary(log, "DeleteInstance", async (req) => ({
      existed: await instances.delete(idOf(req)),
    })),
    ApplyBridge: unary(log, "ApplyBridge", async (req) => bridgeToWire(await bridges.apply(bridgeSpec(req)))),
    GetBridge: unary(log, "GetBridge", async (req) => bridgeToWire(await bridges.status(idOf(req)))),
    DeleteBridge: unary(log, "DeleteBridge", async (req) => {
      const id = idOf(req);
      return { existed: await bridges.delete(id, instances.usersOfBridge(id)) };
    }),
    ApplyDnsForwarder: unary(log, "ApplyDnsForwarder", async (req) =>
      dnsForwarderToWire(await dns.apply(dnsForwarderSpec(req))),
    ),
    GetDnsForwarder: unary(log, "GetDnsForwarder", async (req) =>
      dnsForwarderToWire(await dns.status(idOf(req))),
    ),
    DeleteDnsForwarder: unary(log, "DeleteDnsForwarder", async (req) => ({
      existed: await dns.delete(idOf(req)),
    })),
  };
  const server = new grpc.Server();
  server.addService(qvmd.v1.Qvmd.service, handlers);
  return server;
}
