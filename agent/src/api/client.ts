// A typed, promise-based client for qvmd, used by the provider and by tests.
import * as grpc from "@grpc/grpc-js";
import type { CheckNetworkResponse__Output } from "./gen/qvmd/v1/CheckNetworkResponse";
import type { DeleteNetworkResponse__Output } from "./gen/qvmd/v1/DeleteNetworkResponse";
import type { HealthResponse__Output } from "./gen/qvmd/v1/HealthResponse";
import type { ListNetworksResponse__Output } from "./gen/qvmd/v1/ListNetworksResponse";
import type { Network__Output } from "./gen/qvmd/v1/Network";
import type { NetworkSpec } from "./gen/qvmd/v1/NetworkSpec";
import type { QvmdClient as RawClient } from "./gen/qvmd/v1/Qvmd";
import type { Bridge__Output } from "./gen/qvmd/v1/Bridge";
import type { BridgeSpec } from "./gen/qvmd/v1/BridgeSpec";
import type { DeleteBridgeResponse__Output } from "./gen/qvmd/v1/DeleteBridgeResponse";
import type { DeleteDnsForwarderResponse__Output } from "./gen/qvmd/v1/DeleteDnsForwarderResponse";
import type { DnsForwarder__Output } from "./gen/qvmd/v1/DnsForwarder";
import type { DnsForwarderSpec } from "./gen/qvmd/v1/DnsForwarderSpec";
import type { DeleteImageResponse__Output } from "./gen/qvmd/v1/DeleteImageResponse";
import type { DeleteInstanceResponse__Output } from "./gen/qvmd/v1/DeleteInstanceResponse";
import type { Image__Output } from "./gen/qvmd/v1/Image";
import type { ImageEvent__Output } from "./gen/qvmd/v1/ImageEvent";
import type { ImageSpec } from "./gen/qvmd/v1/ImageSpec";
import type { Instance__Output } from "./gen/qvmd/v1/Instance";
import type { InstanceEvent__Output } from "./gen/qvmd/v1/InstanceEvent";
import type { InstanceSpec } from "./gen/qvmd/v1/InstanceSpec";
import type { Progress__Output } from "./gen/qvmd/v1/Progress";
import { ERROR_KEYS, loadQvmd } from "./proto";

/** An error returned by qvmd, with its stable code and the property at fault. */
export type {
  Bridge__Output as Bridge,
  BridgeSpec,
  DnsForwarder__Output as DnsForwarder,
  DnsForwarderSpec,
  Network__Output as Network,
  NetworkSpec,
  Image__Output as Image,
  ImageSpec,
  Instance__Output as Instance,
  InstanceSpec,
  Progress__Output as Progress,
};

export class AgentError extends Error {
  constructor(
    readonly grpcCode: grpc.status,
    readonly code: string,
    message: string,
    readonly property?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "AgentError";
  }

  /** "Unknown" failures: the call may or may not have happened; never treat as absent. */
  get unknownOutcome(): boolean {
    return [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED].includes(
      this.grpcCode,
    );
  }
}

function toAgentError(err: grpc.ServiceError): AgentError {
  const get = (k: string) => (err.metadata?.get(k)[0] as string | undefined) ?? undefined;
  return new AgentError(
    err.code,
    get(ERROR_KEYS.code) ?? grpc.status[err.code],
    err.details || err.message,
    get(ERROR_KEYS.property),
    get(ERROR_KEYS.hint),
  );
}

type Unary = (
  req: object,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<unknown>,
) => unknown;

export type QvmdClient = ReturnType<typeof connect>;

export function connect(socketPath: string, defaultDeadlineMs = 120000) {
  const { qvmd } = loadQvmd();
  const raw: RawClient = new qvmd.v1.Qvmd(`unix://${socketPath}`, grpc.credentials.createInsecure());

  function call<Res>(name: string, req: object, deadlineMs = defaultDeadlineMs): Promise<Res> {
    const method = (raw as unknown as Record<string, Unary>)[name]!;
    return new Promise((resolve, reject) => {
      method.call(raw, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) {
          const md = err.metadata;
          const get = (k: string) => (md?.get(k)[0] as string | undefined) ?? undefined;
          reject(
            new AgentError(
              err.code,
              get(ERROR_KEYS.code) ?? grpc.status[err.code],
              err.details || err.message,
              get(ERROR_KEYS.property),
              get(ERROR_KEYS.hint),
            ),
          );
        } else resolve(res as Res);
      });
    });
  }

  /** A server-streaming call: progress events go to `onProgress`, the final event is returned. */
  function stream<Ev extends { progress?: Progress__Output | null }>(
    name: string,
    req: object,
    onProgress: (p: Progress__Output) => void,
    deadlineMs = defaultDeadlineMs,
  ): Promise<Ev> {
    const method = (
      raw as unknown as Record<
        string,
        (req: object, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<Ev>
      >
    )[name]!;
    return new Promise((resolve, reject) => {
      const s = method.call(raw, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs });
      let last: Ev | undefined;
      s.on("data", (ev: Ev) => {
        if (ev.progress) onProgress(ev.progress);
        else last = ev;
      });
      s.on("error", (err: grpc.ServiceError) => reject(toAgentError(err)));
      s.on("end", () =>
        last
          ? resolve(last)
          : reject(new AgentError(grpc.status.INTERNAL, "NO_RESULT", `${name} ended without a result`)),
      );
    });
  }

  return {
    applyImage: async (
      spec: ImageSpec,
      onProgress: (p: Progress__Output) => void = () => undefined,
      deadlineMs?: number,
    ) => (await stream<ImageEvent__Output>("ApplyImage", { spec }, onProgress, deadlineMs)).image!,
    getImage: (id: string) => call<Image__Output>("GetImage", { id }),
    deleteImage: (id: string) => call<DeleteImageResponse__Output>("DeleteImage", { id }),
    applyInstance: async (
      spec: InstanceSpec,
      onProgress: (p: Progress__Output) => void = () => undefined,
      deadlineMs?: number,
    ) => (await stream<InstanceEvent__Output>("ApplyInstance", { spec }, onProgress, deadlineMs)).instance!,
    checkInstance: (spec: InstanceSpec) => call<CheckNetworkResponse__Output>("CheckInstance", { spec }),
    getInstance: (id: string) => call<Instance__Output>("GetInstance", { id }),
    deleteInstance: (id: string) => call<DeleteInstanceResponse__Output>("DeleteInstance", { id }),
    applyBridge: (spec: BridgeSpec) => call<Bridge__Output>("ApplyBridge", { spec }),
    getBridge: (id: string) => call<Bridge__Output>("GetBridge", { id }),
    deleteBridge: (id: string) => call<DeleteBridgeResponse__Output>("DeleteBridge", { id }),
    applyDnsForwarder: (spec: DnsForwarderSpec) => call<DnsForwarder__Output>("ApplyDnsForwarder", { spec }),
    getDnsForwarder: (id: string) => call<DnsForwarder__Output>("GetDnsForwarder", { id }),
    deleteDnsForwarder: (id: string) =>
      call<DeleteDnsForwarderResponse__Output>("DeleteDnsForwarder", { id }),
    health: (deadlineMs?: number) => call<HealthResponse__Output>("Health", {}, deadlineMs),
    checkNetwork: (spec: NetworkSpec) => call<CheckNetworkResponse__Output>("CheckNetwork", { spec }),
    applyNetwork: (spec: NetworkSpec) => call<Network__Output>("ApplyNetwork", { spec }),
    getNetwork: (id: string) => call<Network__Output>("GetNetwork", { id }),
    listNetworks: () => call<ListNetworksResponse__Output>("ListNetworks", {}),
    deleteNetwork: (id: string) => call<DeleteNetworkResponse__Output>("DeleteNetwork", { id }),
    close: () => raw.close(),
  };
}
