// Pulumi's ResourceProvider service implemented directly on grpc-js (provider.main would drop
// Configure, preview, detailed diffs and timeouts). All protocol details live here; resource
// modules deal in plain objects. Errors are translated to gRPC statuses here and only here.
import * as grpc from "@grpc/grpc-js";
import * as fs from "node:fs";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import * as plugin_pb from "@pulumi/pulumi/proto/plugin_pb";
import * as services from "@pulumi/pulumi/proto/provider_grpc_pb";
import { AgentError, VERSION } from "@pulumi-qemu/api";
import { assets } from "./assets";
import { connectAgent, DEFAULT_SOCKET, startsAgent } from "./agent";
import { diffInputs } from "./diff";
import { status } from "./engine";
import { partialCreateError, resourceId } from "./ids";
import { fromStruct, toStruct, type Props } from "./props";
import { AgentLink, RESTART_GRACE_MS, resilientClient, restartWaitMs } from "./resilience";
import { handlers } from "./resources";
import type { Ctx, ResourceHandler } from "./resources/types";

/** A message for the engine: the agent's reason, the property and the hint, on one line. */
function describeError(e: unknown): string {
  if (e instanceof AgentError) {
    const where = e.property ? ` (property ${e.property})` : "";
    return `qvmd ${e.code}${where}: ${e.message}${e.hint ? `. Hint: ${e.hint}` : ""}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** A create that failed after choosing its id, with an unknown outcome: the object may exist. */
class PartialCreate extends Error {
  constructor(
    readonly id: string,
    readonly properties: Props,
    override readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

function unary<Req, Res>(fn: (req: Req) => Promise<Res>): Handler<Req, Res> {
  return (call, cb) => {
    fn(call.request).then(
      (res) => cb(null, res),
      (e: unknown) => {
        if (e instanceof PartialCreate) {
          const reason =
            `${e.message} (the outcome is unknown: the resource is recorded with id ${e.id}, ` +
            `and the next \`pulumi up\` converges it)`;
          cb(partialCreateError(reason, e.id, e.properties, [reason]) as grpc.ServiceError);
          return;
        }
        cb({ code: grpc.status.UNKNOWN, details: describeError(e) } as grpc.ServiceError);
      },
    );
  };
}

function handlerFor(urn: string): ResourceHandler {
  // urn:pulumi:<stack>::<project>::<type>::<name>; the type is the second-to-last segment.
  const type = urn.split("::").at(-2)?.split("$").at(-1) ?? "";
  const h = handlers[type];
  if (!h) throw new Error(`unknown resource type ${type}`);
  return h;
}

export function createProviderServer(): grpc.Server {
  let socketPath = process.env.QVMD_SOCKET ?? DEFAULT_SOCKET;
  // The engine's id for this provider: a UUID kept in the stack's state, the seed of resource ids.
  let providerId = "";
  let link: Promise<AgentLink> | undefined;
  // One connection for the process; the first caller's resource shows the progress of reaching qvmd.
  const connectOnce = (progress: (m: string) => void) =>
    (link ??= connectAgent(socketPath, progress).then(
      (c) =>
        new AgentLink(
          c,
          () => socketPath,
          restartWaitMs(),
          startsAgent()
            ? { afterMs: RESTART_GRACE_MS, start: () => connectAgent(socketPath, progress) }
            : undefined,
        ),
      (e: unknown) => {
        link = undefined; // retry on the next call
        throw e;
      },
    ));
  const ctx = (urn: string, timeoutSeconds = 0): Ctx & { chosenId?: string } => {
    const progress = (m: string) => status(urn, m);
    const c: Ctx & { chosenId?: string } = {
      urn,
      agent: async () => resilientClient(await connectOnce(progress), progress),
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 1200000,
      progress,
      newId: (fixed) => (c.chosenId = fixed ?? resourceId(providerId, urn)),
    };
    return c;
  };

  const impl: Partial<services.IResourceProviderServer> = {
    getPluginInfo: unary(async () => new plugin_pb.PluginInfo().setVersion(VERSION)),
    getSchema: unary(async () =>
      new pb.GetSchemaResponse().setSchema(fs.readFileSync(assets.schema, "utf8")),
    ),

    checkConfig: unary(async (req: pb.CheckRequest) => {
      const news = fromStruct(req.getNews());
      const res = new pb.CheckResponse().setInputs(req.getNews());
      const sock = news.socketPath;
      if (sock !== undefined && (typeof sock !== "string" || !path.isAbsolute(sock)))
        res.addFailures(
          new pb.CheckFailure()
            .setProperty("socketPath")
            .setReason("must be an absolute path to qvmd's unix socket"),
        );
      return res;
    }),
    diffConfig: unary(async () => new pb.DiffResponse().setChanges(pb.DiffResponse.DiffChanges.DIFF_NONE)),
    configure: unary(async (req: pb.ConfigureRequest) => {
      const args = fromStruct(req.getArgs());
      const fromVars = req.getVariablesMap().get("qemu:config:socketPath");
      const sock = (args.socketPath as string | undefined) ?? fromVars;
      if (sock) socketPath = sock;
      providerId = req.getId() ?? "";
      return new pb.ConfigureResponse()
        .setAcceptsecrets(false)
        .setSupportspreview(true)
        .setAcceptresources(false);
    }),

    check: unary(async (req: pb.CheckRequest) => {
      const { inputs, failures } = await handlerFor(req.getUrn()).check(
        ctx(req.getUrn()),
        fromStruct(req.getNews()),
        fromStruct(req.getOlds()),
      );
      const res = new pb.CheckResponse().setInputs(toStruct(inputs));
      for (const f of failures)
        res.addFailures(new pb.CheckFailure().setProperty(f.property).setReason(f.reason));
      return res;
    }),

    diff: unary(async (req: pb.DiffRequest) => {
      const h = handlerFor(req.getUrn());
      const olds = req.hasOldInputs() ? fromStruct(req.getOldInputs()) : fromStruct(req.getOlds());
      const { changed, replaces } = diffInputs(olds, fromStruct(req.getNews()), h.replaceOn);
      const res = new pb.DiffResponse()
        .setChanges(
          Object.keys(changed).length > 0
            ? pb.DiffResponse.DiffChanges.DIFF_SOME
            : pb.DiffResponse.DiffChanges.DIFF_NONE,
        )
        .setReplacesList(replaces)
        .setDiffsList(Object.keys(changed))
        .setHasdetaileddiff(true)
        .setDeletebeforereplace(true);
      const K = pb.PropertyDiff.Kind;
      for (const [k, c] of Object.entries(changed)) {
        const kind = {
          add: [K.ADD, K.ADD_REPLACE],
          delete: [K.DELETE, K.DELETE_REPLACE],
          update: [K.UPDATE, K.UPDATE_REPLACE],
        }[c.kind][c.replace ? 1 : 0]!;
        res.getDetaileddiffMap().set(k, new pb.PropertyDiff().setKind(kind).setInputdiff(true));
      }
      return res;
    }),

    create: unary(async (req: pb.CreateRequest) => {
      const h = handlerFor(req.getUrn());
      const inputs = fromStruct(req.getProperties());
      if (req.getPreview())
        return new pb.CreateResponse().setId("").setProperties(toStruct(h.preview(inputs)));
      const c = ctx(req.getUrn(), req.getTimeout());
      try {
        const { id, outputs } = await h.create(c, inputs);
        return new pb.CreateResponse().setId(id).setProperties(toStruct(outputs));
      } catch (e) {
        // Unknown is not absent: the engine must record what may exist, so that the next `up`
        // updates it (the same idempotent call) and `destroy` deletes it.
        if (c.chosenId !== undefined && e instanceof AgentError && e.unknownOutcome)
          throw new PartialCreate(c.chosenId, inputs, e);
        throw e;
      }
    }),

    read: unary(async (req: pb.ReadRequest) => {
      const h = handlerFor(req.getUrn());
      const oldInputs = req.getInputs() ? fromStruct(req.getInputs()) : undefined;
      const r = await h.read(ctx(req.getUrn()), req.getId(), oldInputs);
      if (!r) return new pb.ReadResponse().setId("");
      return new pb.ReadResponse()
        .setId(req.getId())
        .setProperties(toStruct(r.outputs))
        .setInputs(toStruct(r.inputs));
    }),

    update: unary(async (req: pb.UpdateRequest) => {
      const h = handlerFor(req.getUrn());
      const news = fromStruct(req.getNews());
      if (req.getPreview())
        return new pb.UpdateResponse().setProperties(
          toStruct({ ...fromStruct(req.getOlds()), ...h.preview(news) }),
        );
      const olds = req.hasOldInputs() ? fromStruct(req.getOldInputs()) : fromStruct(req.getOlds());
      const outputs = await h.update(ctx(req.getUrn(), req.getTimeout()), req.getId(), olds, news);
      return new pb.UpdateResponse().setProperties(toStruct(outputs));
    }),

    delete: unary(async (req: pb.DeleteRequest) => {
      await handlerFor(req.getUrn()).delete(ctx(req.getUrn(), req.getTimeout()), req.getId());
      return new Empty();
    }),

    cancel: unary(async () => new Empty()),
  };

  const server = new grpc.Server();
  const unimplemented: Handler<unknown, unknown> = (_call, cb) =>
    cb({
      code: grpc.status.UNIMPLEMENTED,
      details: "not implemented by pulumi-resource-qemu",
    } as grpc.ServiceError);
  const full = Object.fromEntries(
    Object.keys(services.ResourceProviderService).map((m) => [
      m,
      (impl as Record<string, unknown>)[m] ?? unimplemented,
    ]),
  );
  server.addService(services.ResourceProviderService, full as unknown as services.IResourceProviderServer);
  return server;
}
