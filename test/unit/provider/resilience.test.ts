// The provider's side of "crash anywhere, converge always", without root: ids a repeated create
// finds again, the partial create the engine reads, and calls that outlive a restarting qvmd (a
// gRPC server on a unix socket that dies mid-call and comes back, as qvmd under systemd does).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import * as status_pb from "@pulumi/pulumi/proto/status_pb";
import { AgentError, connect, loadQvmd, toStatus, type wire } from "@pulumi-qemu/api";
import { partialCreateError, resourceId } from "../../../provider/src/ids";
import { UNKNOWN } from "../../../provider/src/props";
import { AgentLink, resilientClient, restartWaitMs } from "../../../provider/src/resilience";

const URN = "urn:pulumi:dev::qs::qemu:index:Instance::web";

describe("provider ids", () => {
  it("derive from the provider's id and the URN: a repeated create chooses the same id", () => {
    const a = resourceId("7f0c1d2e-0000-4000-8000-000000000001", URN);
    assert.match(a, /^[0-9a-f]{8}$/);
    assert.equal(resourceId("7f0c1d2e-0000-4000-8000-000000000001", URN), a);
    assert.notEqual(resourceId("7f0c1d2e-0000-4000-8000-000000000002", URN), a, "another stack");
    assert.notEqual(resourceId("7f0c1d2e-0000-4000-8000-000000000001", `${URN}2`), a, "another resource");
  });

  it("are random when the engine gave no provider id", () => {
    const ids = new Set(Array.from({ length: 20 }, () => resourceId("", URN)));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}$/);
    assert.ok(ids.size > 15);
    assert.notEqual(resourceId(UNKNOWN, URN), resourceId(UNKNOWN, URN));
  });
});

describe("partial create", () => {
  it("carries the id and properties in an ErrorResourceInitFailed detail, as the engine reads it", () => {
    const e = partialCreateError("qvmd UNAVAILABLE: Connection dropped", "0a1b2c3d", { cpus: 1 }, ["why"]);
    assert.equal(e.code, grpc.status.UNKNOWN);
    const bin = e.metadata!.get("grpc-status-details-bin")[0] as Buffer;
    const st = status_pb.Status.deserializeBinary(new Uint8Array(bin));
    assert.equal(st.getCode(), grpc.status.UNKNOWN);
    assert.equal(st.getMessage(), "qvmd UNAVAILABLE: Connection dropped");
    const any = st.getDetailsList()[0]!;
    assert.equal(any.getTypeName(), "pulumirpc.ErrorResourceInitFailed");
    const d = pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
    assert.equal(d.getId(), "0a1b2c3d");
    assert.deepEqual(d.getProperties()!.toJavaScript(), { cpus: 1 });
    assert.deepEqual(d.getReasonsList(), ["why"]);
  });
});

/** A qvmd stand-in on a unix socket that can be killed (connections cut mid-call) and restarted. */
class FlakyAgent {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-resil-"));
  readonly socket = path.join(this.dir, "qvmd.sock");
  server?: grpc.Server;
  readonly applies: string[] = [];

  constructor(private readonly apply: grpc.handleUnaryCall<wire.ApplyNetworkRequest, wire.Network>) {}

  async start(): Promise<void> {
    fs.rmSync(this.socket, { force: true });
    const s = new grpc.Server();
    const handlers: Partial<wire.QvmdHandlers> = {
      Health: (_c, cb) => cb(null, { version: "t", pid: process.pid, state_dir: this.dir }),
      ApplyNetwork: (call, cb) => {
        this.applies.push(call.request.spec?.id ?? "");
        this.apply(call, cb);
      },
    };
    s.addService(loadQvmd().qvmd.v1.Qvmd.service, handlers as wire.QvmdHandlers);
    await new Promise<void>((res, rej) =>
      s.bindAsync(`unix://${this.socket}`, grpc.ServerCredentials.createInsecure(), (e) =>
        e ? rej(e) : res(),
      ),
    );
    this.server = s;
  }

  /**
   * Every open call is cut, nothing is answered. The client sees CANCELLED here; a killed process
   * gives UNAVAILABLE (the e2e chaos tests kill a real qvmd): both are repeated.
   */
  crash(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  cleanup(): void {
    this.crash();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("calls that outlive a restarting qvmd", function () {
  this.timeout(15000);

  it("repeats an Apply cut by a crash once qvmd is back, with the same id", async () => {
    let calls = 0;
    const agent: FlakyAgent = new FlakyAgent((call, cb) => {
      if (++calls === 1) {
        // Crash mid-call, come back 600 ms later.
        agent.crash();
        setTimeout(() => void agent.start(), 600);
        return;
      }
      cb(null, { spec: call.request.spec, namespace: "qvm-x" });
    });
    await agent.start();
    const waits: string[] = [];
    const link = new AgentLink(connect(agent.socket), () => agent.socket, 10000);
    const client = resilientClient(link, (m) => waits.push(m));
    try {
      const n = await client.applyNetwork({ id: "abc", cidr: "10.9.0.0/24" });
      assert.equal(n.namespace, "qvm-x");
      assert.deepEqual(agent.applies, ["abc", "abc"], "the same call, repeated once");
      assert.equal(waits.length, 1);
      assert.match(waits[0]!, /waiting up to 10 s for it to come back to repeat applyNetwork/);
    } finally {
      client.close();
      agent.cleanup();
    }
  });

  it("gives up after the bounded wait, with the unknown outcome intact", async () => {
    const agent: FlakyAgent = new FlakyAgent(() => agent.crash()); // and never comes back
    await agent.start();
    const link = new AgentLink(connect(agent.socket), () => agent.socket, 800);
    const client = resilientClient(link, () => undefined);
    const t0 = Date.now();
    try {
      const e = await client.applyNetwork({ id: "abc" }).catch((x: unknown) => x);
      assert.ok(e instanceof AgentError, String(e));
      assert.ok(["UNAVAILABLE", "CANCELLED"].includes(e.code), e.code);
      assert.equal(e.unknownOutcome, true);
      const took = Date.now() - t0;
      assert.ok(took >= 800 && took < 5000, `waited ${took} ms`);
      assert.deepEqual(agent.applies, ["abc"]);
    } finally {
      client.close();
      agent.cleanup();
    }
  });

  it("never repeats a call qvmd answered, even with an error", async () => {
    const agent = new FlakyAgent((_call, cb) =>
      cb(toStatus({ kind: "invalid", code: "NET_OVERLAP", message: "overlaps" }) as grpc.ServiceError),
    );
    await agent.start();
    const client = resilientClient(new AgentLink(connect(agent.socket), () => agent.socket, 5000), () => {
      throw new Error("must not wait");
    });
    try {
      const e = await client.applyNetwork({ id: "abc" }).catch((x: unknown) => x);
      assert.ok(e instanceof AgentError && e.code === "NET_OVERLAP");
      assert.deepEqual(agent.applies, ["abc"]);
    } finally {
      client.close();
      agent.cleanup();
    }
  });

  it("reads its budget from QVMD_RESTART_WAIT_SECONDS", () => {
    assert.equal(restartWaitMs({ QVMD_RESTART_WAIT_SECONDS: "3" }), 3000);
    assert.equal(restartWaitMs({ QVMD_RESTART_WAIT_SECONDS: "0" }), 0);
    assert.equal(restartWaitMs({ QVMD_RESTART_WAIT_SECONDS: "soon" }), 60000);
    assert.equal(restartWaitMs({}), 60000);
  });
});
