// A typed, promise-based client for qvmd, used by the provider and by tests. Every RPC's name,
// request and response come from the generated service definition: calling an RPC that does not
// exist, or reading its response as another RPC's type, does not compile.
import * as grpc from "@grpc/grpc-js";
import { AgentError, fromServiceError } from "./errors";
import type * as wire from "./gen";
import type { QvmdDefinition } from "./gen/qvmd/v1/Qvmd";
import { loadQvmd } from "./proto";
import { checkReadable, localPath, streamFile, type UploadOptions, uploadRef } from "./upload";

/** The RPC names of the Qvmd service (the definition's string index signature left out). */
export type RpcName = keyof {
  [K in keyof QvmdDefinition as string extends K ? never : number extends K ? never : K]: unknown;
};
/** What a caller sends to `K`. */
export type RpcRequest<K extends RpcName> = Parameters<QvmdDefinition[K]["requestSerialize"]>[0];
/** What a caller receives from `K` (the final event, for a streaming RPC). */
export type RpcResponse<K extends RpcName> = ReturnType<QvmdDefinition[K]["responseDeserialize"]>;
/** RPCs that stream progress events before their result: their responses are a progress|result oneof. */
export type StreamingRpc = { [K in RpcName]: "progress" extends keyof RpcResponse<K> ? K : never }[RpcName];
export type UnaryRpc = Exclude<RpcName, StreamingRpc>;

// The names a client reads: outputs (every field present, defaults filled in) and the specs it sends.
export type Network = wire.Network__Output;
export type NetworkSpec = wire.NetworkSpec;
export type Image = wire.Image__Output;
export type ImageSpec = wire.ImageSpec;
export type Instance = wire.Instance__Output;
export type InstanceSpec = wire.InstanceSpec;
export type Template = wire.Template__Output;
export type TemplateSpec = wire.TemplateSpec;
export type Bridge = wire.Bridge__Output;
export type BridgeSpec = wire.BridgeSpec;
export type DnsForwarder = wire.DnsForwarder__Output;
export type DnsForwarderSpec = wire.DnsForwarderSpec;
export type Progress = wire.Progress__Output;

export type OnProgress = (p: Progress) => void;

/** qvmd as the provider sees it. Tests may implement it with a fake. */
export interface QvmdClient {
  health(deadlineMs?: number): Promise<RpcResponse<"Health">>;
  checkNetwork(spec: NetworkSpec): Promise<RpcResponse<"CheckNetwork">>;
  applyNetwork(spec: NetworkSpec): Promise<RpcResponse<"ApplyNetwork">>;
  getNetwork(id: string): Promise<RpcResponse<"GetNetwork">>;
  listNetworks(): Promise<RpcResponse<"ListNetworks">>;
  deleteNetwork(id: string): Promise<RpcResponse<"DeleteNetwork">>;
  /** Uploads a local file (read with this process's rights); returns its digest and size. */
  uploadBlob(file: string, opts?: UploadOptions): Promise<RpcResponse<"UploadBlob">>;
  /** Applies an image; file:// sources (source, kernel, initrd) are uploaded first. */
  applyImage(spec: ImageSpec, onProgress?: OnProgress, deadlineMs?: number): Promise<Image>;
  getImage(id: string): Promise<RpcResponse<"GetImage">>;
  deleteImage(id: string): Promise<RpcResponse<"DeleteImage">>;
  checkInstance(spec: InstanceSpec): Promise<RpcResponse<"CheckInstance">>;
  /**
   * `signal`: aborting it cancels the call; qvmd stops waiting at once (the VM stays as applied)
   * and the promise rejects with CALL_CANCELLED.
   */
  applyInstance(
    spec: InstanceSpec,
    onProgress?: OnProgress,
    deadlineMs?: number,
    signal?: AbortSignal,
  ): Promise<Instance>;
  getInstance(id: string): Promise<RpcResponse<"GetInstance">>;
  deleteInstance(id: string): Promise<RpcResponse<"DeleteInstance">>;
  applyTemplate(spec: TemplateSpec, onProgress?: OnProgress, deadlineMs?: number): Promise<Template>;
  getTemplate(id: string): Promise<RpcResponse<"GetTemplate">>;
  deleteTemplate(id: string): Promise<RpcResponse<"DeleteTemplate">>;
  applyBridge(spec: BridgeSpec): Promise<RpcResponse<"ApplyBridge">>;
  getBridge(id: string): Promise<RpcResponse<"GetBridge">>;
  deleteBridge(id: string): Promise<RpcResponse<"DeleteBridge">>;
  applyDnsForwarder(spec: DnsForwarderSpec): Promise<RpcResponse<"ApplyDnsForwarder">>;
  getDnsForwarder(id: string): Promise<RpcResponse<"GetDnsForwarder">>;
  deleteDnsForwarder(id: string): Promise<RpcResponse<"DeleteDnsForwarder">>;
  listInstances(): Promise<RpcResponse<"ListInstances">>;
  listImages(): Promise<RpcResponse<"ListImages">>;
  listDnsForwarders(): Promise<RpcResponse<"ListDnsForwarders">>;
  listBridges(): Promise<RpcResponse<"ListBridges">>;
  close(): void;
}

// The generated client declares each method with four overloads; these are the ones we call.
type UnaryMethod = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<unknown>,
) => grpc.ClientUnaryCall;
type ClientStreamMethod = (
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<unknown>,
) => grpc.ClientWritableStream<unknown>;
type StreamMethod = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
) => grpc.ClientReadableStream<unknown>;

export function connect(socketPath: string, defaultDeadlineMs = 120000): QvmdClient {
  const { qvmd } = loadQvmd();
  const raw = new qvmd.v1.Qvmd(`unix://${socketPath}`, grpc.credentials.createInsecure());
  const method = (name: RpcName) => (raw as unknown as Record<RpcName, unknown>)[name];

  function unary<K extends UnaryRpc>(
    name: K,
    req: RpcRequest<K>,
    deadlineMs = defaultDeadlineMs,
  ): Promise<RpcResponse<K>> {
    const m = method(name) as UnaryMethod;
    return new Promise((resolve, reject) => {
      m.call(raw, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(fromServiceError(err)) : resolve(res as RpcResponse<K>),
      );
    });
  }

  /** A server-streaming call: progress events go to `onProgress`, the final event is returned. */
  function stream<K extends StreamingRpc>(
    name: K,
    req: RpcRequest<K>,
    onProgress: OnProgress,
    deadlineMs = defaultDeadlineMs,
    signal?: AbortSignal,
  ): Promise<RpcResponse<K>> {
    const m = method(name) as StreamMethod;
    return new Promise((resolve, reject) => {
      const cancelled = () =>
        new AgentError(grpc.status.CANCELLED, "CALL_CANCELLED", `${name} cancelled by the caller`);
      if (signal?.aborted) return reject(cancelled());
      const s = m.call(raw, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs });
      // Ours, not a cut connection's CANCELLED (which a caller may retry): rejected as such.
      const abort = () => {
        reject(cancelled());
        s.cancel();
      };
      signal?.addEventListener("abort", abort, { once: true });
      s.on("close", () => signal?.removeEventListener("abort", abort));
      let last: RpcResponse<K> | undefined;
      s.on("data", (ev: RpcResponse<K>) => {
        if (ev.progress) onProgress(ev.progress);
        else last = ev;
      });
      s.on("error", (err: grpc.ServiceError) => reject(fromServiceError(err)));
      s.on("end", () =>
        last
          ? resolve(last)
          : reject(new AgentError(grpc.status.INTERNAL, "NO_RESULT", `${name} ended without a result`)),
      );
    });
  }

  function uploadBlob(file: string, o: UploadOptions = {}, deadlineMs = defaultDeadlineMs) {
    const m = method("UploadBlob") as ClientStreamMethod;
    return new Promise<RpcResponse<"UploadBlob">>((resolve, reject) => {
      let failed: unknown;
      const call = m.call(raw, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
        failed !== undefined
          ? reject(failed)
          : err
            ? reject(fromServiceError(err as grpc.ServiceError))
            : resolve(res as RpcResponse<"UploadBlob">),
      );
      streamFile(file, call as grpc.ClientWritableStream<wire.UploadChunk>, o).catch((e: unknown) => {
        failed = e; // before cancel(), whose status may arrive at once
        call.cancel();
      });
    });
  }

  /** The spec with every file:// source replaced by the upload of that file. */
  async function uploadSources(
    spec: ImageSpec,
    onProgress: OnProgress,
    deadlineMs?: number,
  ): Promise<ImageSpec> {
    const out = { ...spec };
    const properties = ["source", "kernel", "initrd"] as const;
    // Every file readable before the first byte is sent: a bad one leaves nothing behind in qvmd.
    for (const property of properties) {
      const file = localPath(spec[property] ?? "");
      if (file !== undefined) await checkReadable(file, property);
    }
    for (const property of properties) {
      const file = localPath(spec[property] ?? "");
      if (file === undefined) continue;
      const { sha256 } = await uploadBlob(
        file,
        {
          property,
          sha256: property === "source" && spec.sha256 ? spec.sha256.toLowerCase() : undefined,
          onProgress: (done, total) => onProgress({ message: `uploading ${file}`, done, total }),
        },
        deadlineMs,
      );
      out[property] = uploadRef(sha256);
    }
    return out;
  }

  const quiet: OnProgress = () => undefined;
  return {
    health: (deadlineMs) => unary("Health", {}, deadlineMs),
    checkNetwork: (spec) => unary("CheckNetwork", { spec }),
    applyNetwork: (spec) => unary("ApplyNetwork", { spec }),
    getNetwork: (id) => unary("GetNetwork", { id }),
    listNetworks: () => unary("ListNetworks", {}),
    deleteNetwork: (id) => unary("DeleteNetwork", { id }),
    uploadBlob: (file, opts) => uploadBlob(file, opts),
    applyImage: async (spec, onProgress = quiet, deadlineMs) =>
      (
        await stream(
          "ApplyImage",
          { spec: await uploadSources(spec, onProgress, deadlineMs) },
          onProgress,
          deadlineMs,
        )
      ).image!,
    getImage: (id) => unary("GetImage", { id }),
    deleteImage: (id) => unary("DeleteImage", { id }),
    checkInstance: (spec) => unary("CheckInstance", { spec }),
    applyInstance: async (spec, onProgress = quiet, deadlineMs, signal) =>
      (await stream("ApplyInstance", { spec }, onProgress, deadlineMs, signal)).instance!,
    getInstance: (id) => unary("GetInstance", { id }),
    deleteInstance: (id) => unary("DeleteInstance", { id }),
    applyTemplate: async (spec, onProgress = quiet, deadlineMs) =>
      (await stream("ApplyTemplate", { spec }, onProgress, deadlineMs)).template!,
    getTemplate: (id) => unary("GetTemplate", { id }),
    deleteTemplate: (id) => unary("DeleteTemplate", { id }),
    applyBridge: (spec) => unary("ApplyBridge", { spec }),
    getBridge: (id) => unary("GetBridge", { id }),
    deleteBridge: (id) => unary("DeleteBridge", { id }),
    applyDnsForwarder: (spec) => unary("ApplyDnsForwarder", { spec }),
    getDnsForwarder: (id) => unary("GetDnsForwarder", { id }),
    deleteDnsForwarder: (id) => unary("DeleteDnsForwarder", { id }),
    listInstances: () => unary("ListInstances", {}),
    listImages: () => unary("ListImages", {}),
    listDnsForwarders: () => unary("ListDnsForwarders", {}),
    listBridges: () => unary("ListBridges", {}),
    close: () => raw.close(),
  };
}
