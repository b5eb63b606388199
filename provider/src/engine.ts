// Progress for long waits goes to the engine's Log service as ephemeral status lines (shown next to
// the resource while it is being created), never to stdout.
import * as grpc from "@grpc/grpc-js";
import * as engine_grpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engine_pb from "@pulumi/pulumi/proto/engine_pb";

let client: engine_grpc.EngineClient | undefined;

/** The engine passes its address as the last non-flag argument. */
export function connectEngine(argv: string[]): void {
  const addr = argv.filter((a) => !a.startsWith("-")).at(-1);
  if (addr && /^[\w.-]+:\d+$/.test(addr))
    client = new engine_grpc.EngineClient(addr, grpc.credentials.createInsecure());
}

export function status(urn: string, message: string): void {
  if (!client) return;
  const req = new engine_pb.LogRequest()
    .setSeverity(engine_pb.LogSeverity.INFO)
    .setMessage(message)
    .setUrn(urn)
    .setEphemeral(true);
  client.log(req, () => undefined);
}
