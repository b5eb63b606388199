#!/usr/bin/env node
// pulumi-resource-qemu: serves Pulumi's ResourceProvider gRPC service. The engine reads the port
// from the first line of stdout, so nothing else may ever be written there.
import * as grpc from "@grpc/grpc-js";
import { connectEngine } from "./engine";
import { createProviderServer } from "./server";

async function main(): Promise<void> {
  connectEngine(process.argv.slice(2));
  const server = createProviderServer();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);
  // The engine stops its plugins when it ends; if it is killed instead, nobody will: a provider
  // whose parent is gone exits rather than linger (qvmd finishes or keeps what it was doing).
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-qemu: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
