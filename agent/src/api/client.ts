// A typed, promise-based client for qvmd, used by the provider and by tests.
import * as grpc from "@grpc/grpc-js";
import type { CheckNetworkResponse__Output } from "./gen/qvmd/v1/CheckNetworkResponse";
import type { DeleteNetworkResponse__Output } from "./gen/qvmd/v1/DeleteNetworkResponse";
import type { HealthResponse__Output } from "./gen/qvmd/v1/HealthResponse";
import type { ListNetworksResponse__Output } from "./gen/qvmd/v1/ListNetworksResponse";
import type { Network__Output } from "./gen/qvmd/v1/Network";
import type { NetworkSpec } from "./gen/qvmd/v1/NetworkSpec";
import type { QvmdClient as RawClient } from "./gen/qvmd/v1/Qvmd";
import { ERROR_KEYS, loadQvmd } from "./proto";

/** An error returned by qvmd, with its stable code and the property at fault. */
export type { Network__Output as Network, NetworkSpec };

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

  return {
    health: (deadlineMs?: number) => call<HealthResponse__Output>("Health", {}, deadlineMs),
    checkNetwork: (spec: NetworkSpec) => call<CheckNetworkResponse__Output>("CheckNetwork", { spec }),
    applyNetwork: (spec: NetworkSpec) => call<Network__Output>("ApplyNetwork", { spec }),
    getNetwork: (id: string) => call<Network__Output>("GetNetwork", { id }),
    listNetworks: () => call<ListNetworksResponse__Output>("ListNetworks", {}),
    deleteNetwork: (id: string) => call<DeleteNetworkResponse__Output>("DeleteNetwork", { id }),
    close: () => raw.close(),
  };
}
