// The Pulumi engine's side of a provider, in process: the provider's gRPC server on a loopback port,
// configured with a qvmd socket, and the calls the engine makes (check, create, read, delete, and
// any other method by name), each rejecting with the gRPC error the engine would see.
import * as assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import * as services from "@pulumi/pulumi/proto/provider_grpc_pb";
import { fromStruct, type Props, toStruct } from "../../provider/src/props";
import { createProviderServer } from "../../provider/src/server";

export const urnOf = (type: string, name: string) => `urn:pulumi:test::proj::qemu:index:${type}::${name}`;

export class EngineClient {
  private server?: grpc.Server;
  private client?: services.ResourceProviderClient;

  /** Serves a provider and configures it to reach qvmd at `socketPath`. */
  async start(socketPath: string): Promise<this> {
    const server = (this.server = createProviderServer());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    this.client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await this.call("configure", new pb.ConfigureRequest().setArgs(toStruct({ socketPath })));
    return this;
  }

  async stop(): Promise<void> {
    this.client?.close();
    const server = this.server;
    if (server) await new Promise<void>((r) => server.tryShutdown(() => r()));
  }

  /** Calls a ResourceProvider method; rejects with the gRPC error the engine would see. */
  call<Res>(method: keyof services.ResourceProviderClient, req: unknown): Promise<Res> {
    const client = this.client!;
    const fn = client[method] as unknown as (
      r: unknown,
      cb: (e: grpc.ServiceError | null, res: Res) => void,
    ) => void;
    return new Promise((resolve, reject) => fn.call(client, req, (e, res) => (e ? reject(e) : resolve(res))));
  }

  async check(type: string, name: string, news: Props, olds: Props = {}) {
    const res = await this.call<pb.CheckResponse>(
      "check",
      new pb.CheckRequest().setUrn(urnOf(type, name)).setNews(toStruct(news)).setOlds(toStruct(olds)),
    );
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** The inputs check leaves, failing the test on any check failure. */
  async checked(type: string, name: string, news: Props): Promise<Props> {
    const c = await this.check(type, name, news);
    assert.deepEqual(c.failures, [], JSON.stringify(c.failures));
    return c.inputs;
  }

  async create(type: string, name: string, inputs: Props, preview = false) {
    const res = await this.call<pb.CreateResponse>(
      "create",
      new pb.CreateRequest()
        .setUrn(urnOf(type, name))
        .setProperties(toStruct(inputs))
        .setPreview(preview)
        .setTimeout(10),
    );
    return { id: res.getId(), outputs: fromStruct(res.getProperties()) };
  }

  async read(type: string, name: string, id: string, inputs: Props) {
    const res = await this.call<pb.ReadResponse>(
      "read",
      new pb.ReadRequest().setUrn(urnOf(type, name)).setId(id).setInputs(toStruct(inputs)),
    );
    return { id: res.getId(), inputs: fromStruct(res.getInputs()), outputs: fromStruct(res.getProperties()) };
  }

  remove(type: string, name: string, id: string): Promise<Empty> {
    return this.call<Empty>("delete", new pb.DeleteRequest().setUrn(urnOf(type, name)).setId(id));
  }
}
