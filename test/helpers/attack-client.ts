// Run as an unprivileged user by test/helpers/users.ts: makes qvmd calls through the typed client
// (the one the provider uses) and prints one JSON line per call, its value or its typed error.
// argv: <socket> <JSON array of {method, args}>. Besides the client's methods:
//   wire:<Rpc> [request]         the raw RPC, without the client's help (e.g. a file:// source)
//   upload [{header, chunks}]    a hand-made UploadBlob stream; chunks are [length, byte] pairs
import * as grpc from "@grpc/grpc-js";
import { AgentError, connect, fromServiceError, loadQvmd, type QvmdClient } from "@pulumi-qemu/api";

type Raw = Record<
  string,
  (...a: unknown[]) => grpc.ClientReadableStream<unknown> & grpc.ClientWritableStream<unknown>
>;

function wireCall(raw: Raw, rpc: string, req: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const deadline = { deadline: Date.now() + 60000 };
    const done = (err: grpc.ServiceError | null, res?: unknown) =>
      err ? reject(fromServiceError(err)) : resolve(res);
    if (rpc === "ApplyImage" || rpc === "ApplyInstance") {
      const s = raw[rpc]!.call(raw, req, new grpc.Metadata(), deadline);
      let last: unknown;
      s.on("data", (ev: { progress?: unknown }) => (ev.progress ? undefined : (last = ev)));
      s.on("error", (e: grpc.ServiceError) => done(e));
      s.on("end", () => done(null, last));
    } else raw[rpc]!.call(raw, req, new grpc.Metadata(), deadline, done);
  });
}

function upload(raw: Raw, u: { header: unknown; chunks: Array<[number, number]> }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = raw.UploadBlob!.call(
      raw,
      new grpc.Metadata(),
      { deadline: Date.now() + 60000 },
      (err: grpc.ServiceError | null, res: unknown) => (err ? reject(fromServiceError(err)) : resolve(res)),
    );
    call.on("error", () => undefined);
    if (u.header !== null) call.write({ header: u.header });
    for (const [n, byte] of u.chunks) call.write({ data: Buffer.alloc(n, byte) });
    call.end();
  });
}

async function main(): Promise<void> {
  const [socket, callsJson] = process.argv.slice(2);
  const calls = JSON.parse(callsJson!) as Array<{ method: string; args: unknown[] }>;
  const client = connect(socket!, 60000);
  const { qvmd } = loadQvmd();
  const raw = new qvmd.v1.Qvmd(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as Raw;
  for (const c of calls) {
    try {
      let value: unknown;
      if (c.method.startsWith("wire:")) value = await wireCall(raw, c.method.slice(5), c.args[0]);
      else if (c.method === "upload") value = await upload(raw, c.args[0] as never);
      else {
        const fn = client[c.method as keyof QvmdClient] as (...a: unknown[]) => Promise<unknown>;
        value = await fn.apply(client, c.args);
      }
      process.stdout.write(JSON.stringify({ ok: true, value }) + "\n");
    } catch (e) {
      const a = e instanceof AgentError ? e : undefined;
      process.stdout.write(
        JSON.stringify({
          ok: false,
          error: {
            code: a?.code ?? "CLIENT_ERROR",
            grpcCode: a?.grpcCode ?? -1,
            property: a?.property,
            hint: a?.hint,
            message: e instanceof Error ? e.message : String(e),
          },
        }) + "\n",
      );
    }
  }
  client.close();
  (raw as unknown as grpc.Client).close();
}

void main();
