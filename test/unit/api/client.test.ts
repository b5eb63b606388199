// The typed client against an in-process qvmd fake serving the real proto on a unix socket: what
// the agent encodes (toStatus) the client decodes (AgentError with code, property, hint, cause).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  AgentError,
  connect,
  loadQvmd,
  type Network,
  type QvmdClient,
  type RpcResponse,
  toStatus,
  type wire,
} from "@pulumi-qemu/api";

type Handlers = Partial<wire.QvmdHandlers>;

async function serve(handlers: Handlers): Promise<{ client: QvmdClient; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-api-"));
  const socket = path.join(dir, "qvmd.sock");
  const server = new grpc.Server();
  server.addService(loadQvmd().qvmd.v1.Qvmd.service, handlers as wire.QvmdHandlers);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  const client = connect(socket, 5000);
  return {
    client,
    stop: async () => {
      client.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Compile-time guarantees: these lines must not compile (tsc --strict runs over test/).
export function typeErrors(c: QvmdClient): void {
  // @ts-expect-error an RPC that does not exist
  const none: RpcResponse<"CheckImage"> = undefined as never;
  // @ts-expect-error an instance read as a network
  const n: Promise<Network> = c.getInstance("a");
  // @ts-expect-error a spec of the wrong resource
  void c.applyNetwork({ image_id: "x" });
  void none;
  void n;
}

describe("qvmd client (typed, over a real gRPC socket)", () => {
  it("calls unary RPCs and returns their typed responses", async () => {
    const { client, stop } = await serve({
      CheckInstance: (call, cb) =>
        cb(null, {
          violations: [{ property: "cpus", code: "BAD_CPUS", reason: `got ${call.request.spec?.cpus}` }],
        }),
    });
    try {
      const { violations } = await client.checkInstance({ id: "a", cpus: 99 });
      assert.deepEqual(violations, [{ property: "cpus", code: "BAD_CPUS", reason: "got 99" }]);
    } finally {
      await stop();
    }
  });

  it("streams progress and returns the final event", async () => {
    const { client, stop } = await serve({
      ApplyImage: (call) => {
        call.write({ progress: { message: "fetching", done: 1, total: 2 } });
        call.write({ image: { spec: call.request.spec, path: "/blob" } });
        call.end();
      },
    });
    try {
      const seen: string[] = [];
      const img = await client.applyImage({ id: "i", source: "https://example.invalid/x" }, (p) =>
        seen.push(p.message),
      );
      assert.deepEqual(seen, ["fetching"]);
      assert.equal(img.path, "/blob");
      assert.equal(img.spec?.source, "https://example.invalid/x");
    } finally {
      await stop();
    }
  });

  it("decodes an agent error: status class, code, property, hint and cause", async () => {
    const { client, stop } = await serve({
      ApplyNetwork: (_call, cb) =>
        cb(
          toStatus({
            kind: "invalid",
            code: "NET_OVERLAP",
            message: "10.0.0.0/24 overlaps network b",
            property: "cidr",
            hint: "pick another range",
          }) as grpc.ServiceError,
        ),
      GetNetwork: (_call, cb) =>
        cb(
          toStatus({
            kind: "not_found",
            code: "NET_NOT_FOUND",
            message: "no network x",
          }) as grpc.ServiceError,
        ),
    });
    try {
      const e = await client.applyNetwork({ id: "a", cidr: "10.0.0.0/24" }).catch((x: unknown) => x);
      assert.ok(e instanceof AgentError);
      assert.equal(e.grpcCode, grpc.status.INVALID_ARGUMENT);
      assert.equal(e.code, "NET_OVERLAP");
      assert.equal(e.property, "cidr");
      assert.equal(e.hint, "pick another range");
      assert.equal(e.message, "10.0.0.0/24 overlaps network b");
      assert.equal((e.cause as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
      assert.equal(e.unknownOutcome, false);
      const gone = await client.getNetwork("x").catch((x: unknown) => x);
      assert.ok(gone instanceof AgentError && gone.code === "NET_NOT_FOUND" && gone.property === undefined);
      assert.equal(gone.grpcCode, grpc.status.NOT_FOUND);
    } finally {
      await stop();
    }
  });

  it("reports an unreachable agent as an unknown outcome, never as absent", async () => {
    const client = connect(path.join(os.tmpdir(), "qvx-api-missing", "qvmd.sock"), 300);
    try {
      const e = await client.getNetwork("x").catch((x: unknown) => x);
      assert.ok(e instanceof AgentError);
      assert.ok(e.code === "UNAVAILABLE" || e.code === "DEADLINE_EXCEEDED", e.code);
      assert.equal(e.unknownOutcome, true);
    } finally {
      client.close();
    }
  });

  it("keeps a code it does not know visible instead of trusting it", async () => {
    const { client, stop } = await serve({
      Health: (_call, cb) => {
        const md = new grpc.Metadata();
        md.set("qvmd-code", "FROM_THE_FUTURE");
        cb({
          code: grpc.status.FAILED_PRECONDITION,
          details: "newer agent",
          metadata: md,
        } as grpc.ServiceError);
      },
    });
    try {
      const e = await client.health().catch((x: unknown) => x);
      assert.ok(e instanceof AgentError);
      assert.equal(e.code, "FAILED_PRECONDITION");
      assert.match(e.message, /^FROM_THE_FUTURE: newer agent$/);
    } finally {
      await stop();
    }
  });
});
