// The agent's gRPC server (agent/src/server.ts), in process: real grpc-js on a temporary unix
// socket, the real client, the real managers over fake host operations. Validation errors name the
// property, Apply is idempotent, codes map to NOT_FOUND / FAILED_PRECONDITION / INVALID_ARGUMENT,
// and hostile or malformed requests change nothing and do not take the server down.
import * as grpc from "@grpc/grpc-js";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { AgentError, type QvmdClient } from "@pulumi-qemu/api";
import { FakeAgent } from "../../helpers/fake-agent";

async function refused(p: Promise<unknown>, status: grpc.status, code: string, property?: string) {
  const e = await p.then(
    () => assert.fail(`expected ${code}`),
    (x: unknown) => x,
  );
  assert.ok(e instanceof AgentError, String(e));
  assert.equal(e.code, code, e.message);
  assert.equal(e.grpcCode, status, `${code}: ${grpc.status[e.grpcCode]}`);
  if (property !== undefined) assert.equal(e.property, property);
  return e;
}

describe("qvmd gRPC server (in process, fake host)", function () {
  this.timeout(20000);
  let a: FakeAgent;
  let c: QvmdClient;
  const net = { id: "n1", cidr: "10.60.0.0/24", dhcp: { enabled: true } };
  const MAC = "52:54:00:10:00:01";

  before(async () => {
    a = new FakeAgent();
    c = await a.serve();
    a.vm.addresses.set(MAC, { mac: MAC, ip: "10.60.0.40", source: "dhcp" });
  });
  after(() => a.close());

  it("answers Health", async () => {
    assert.equal((await c.health()).version, "test");
  });

  it("names the property of a bad spec, as a program writes it, and changes nothing", async () => {
    await refused(
      c.applyNetwork({ id: "n1", cidr: "10.60.0.0/33" }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_CIDR",
      "cidr",
    );
    const res = { mac: "nope", ip: "10.60.0.5" };
    await refused(
      c.applyNetwork({ ...net, dhcp: { enabled: true, reservations: [res] } }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_MAC",
      "dhcp.reservations[0].mac",
    );
    const { violations } = await c.checkNetwork({ id: "n1", cidr: "8.8.8.0/24" });
    assert.deepEqual(
      violations.map((v) => [v.property, v.code]),
      [["cidr", "NOT_PRIVATE"]],
    );
    assert.deepEqual((await c.listNetworks()).networks, []);
    assert.deepEqual(a.net.calls, []);
  });

  it("applies idempotently: the same spec twice is the same network, created once", async () => {
    const first = await c.applyNetwork(net);
    const second = await c.applyNetwork(net);
    assert.deepEqual(second, first);
    assert.equal(first.spec!.gateway, "10.60.0.1");
    assert.equal(first.dhcp_server_address, "10.60.0.254");
    assert.equal(first.firewall_state, "ok");
    // The second apply makes nothing again: no `netns add`, no `link add` (fewer lines).
    assert.deepEqual(a.net.only("ipBatch root"), ["ipBatch root 5", "ipBatch root 3"]);
    assert.equal(a.net.netns.size, 1);
    assert.equal(a.net.links.size, 3);
  });

  it("streams image progress and reports the stored image", async () => {
    const source = a.source("disk.img", Buffer.alloc(4096));
    const events: string[] = [];
    const img = await c.applyImage({ id: "img", source }, (p) => events.push(p.message));
    assert.ok(events.some((m) => m.startsWith("downloading http://images.test/disk.img")));
    assert.equal(img.size_bytes, 4096);
    assert.equal(path.dirname(img.path), a.p.blobsDir);
  });

  it("creates an instance whose address is known when Apply returns", async () => {
    const inst = await c.applyInstance({
      id: "v1",
      image_id: "img",
      nics: [{ network_id: "n1", mac: MAC }],
      running: true,
      wait_for_ip_seconds: 5,
    });
    assert.equal(inst.state, "running");
    assert.deepEqual(
      inst.nics.map((n) => [n.network_id, n.ip, n.source, n.tap]),
      [["n1", "10.60.0.40", "dhcp", "qvtv10"]],
    );
    assert.equal(inst.spec!.memory_mb, 512, "defaults filled in");
    await refused(
      c.applyInstance({ id: "v2", image_id: "img", memory_mb: 8, nics: [{ network_id: "n1", mac: MAC }] }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_MEMORY",
      "memoryMb",
    );
  });

  it("answers NOT_FOUND for what does not exist, and Delete of it succeeds", async () => {
    for (const p of [
      c.getNetwork("zz"),
      c.getImage("zz"),
      c.getInstance("zz"),
      c.getBridge("zz"),
      c.getDnsForwarder("zz"),
    ])
      assert.equal(((await p.catch((e: unknown) => e)) as AgentError).grpcCode, grpc.status.NOT_FOUND);
    assert.deepEqual(await c.deleteInstance("zz"), { existed: false });
    assert.deepEqual(await c.deleteNetwork("zz"), { existed: false });
  });

  it("answers FAILED_PRECONDITION for what the current state forbids", async () => {
    await refused(c.deleteNetwork("n1"), grpc.status.FAILED_PRECONDITION, "NET_IN_USE");
    await refused(
      c.applyNetwork({ ...net, cidr: "10.61.0.0/24" }),
      grpc.status.FAILED_PRECONDITION,
      "NET_IMMUTABLE",
      "cidr",
    );
    await c.applyBridge({ id: "b1", name: "qvbr1" });
    await c.applyInstance({
      id: "v3",
      image_id: "img",
      nics: [{ bridge_id: "b1", mac: "52:54:00:10:00:03" }],
    });
    await refused(c.deleteBridge("b1"), grpc.status.FAILED_PRECONDITION, "BRIDGE_IN_USE");
    assert.deepEqual(await c.deleteInstance("v3"), { existed: true });
    assert.deepEqual(await c.deleteBridge("b1"), { existed: true });
  });

  it("serves one DNS forwarder per network, fed with the instances' names", async () => {
    await refused(
      c.applyDnsForwarder({ id: "d1", network_id: "nonet" }),
      grpc.status.INVALID_ARGUMENT,
      "UNKNOWN_NETWORK",
      "networkId",
    );
    const d = await c.applyDnsForwarder({ id: "d1", network_id: "n1", zone: "lab.internal" });
    assert.equal(d.address, "10.60.0.1");
    assert.deepEqual(d.names, ["v1.lab.internal"]);
    await refused(
      c.applyDnsForwarder({ id: "d2", network_id: "n1" }),
      grpc.status.INVALID_ARGUMENT,
      "DNS_NETWORK_TAKEN",
      "networkId",
    );
    assert.deepEqual(await c.deleteDnsForwarder("d1"), { existed: true });
    assert.equal(a.dnsHost.started[0]!.closed, true);
  });

  it("refuses hostile ids and sizes before they reach a path or a kernel name", async () => {
    for (const id of ["../../etc", "a/b", "", "x".repeat(9), "A"])
      await refused(c.getNetwork(id), grpc.status.INVALID_ARGUMENT, "BAD_REQUEST", "id");
    await refused(c.deleteInstance("../v1"), grpc.status.INVALID_ARGUMENT, "BAD_REQUEST", "id");
    await refused(
      c.applyNetwork({ id: "n9", cidr: "1".repeat(100000) }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_REQUEST",
      "cidr",
    );
    const nics = Array.from({ length: 9 }, (_, i) => ({ network_id: "n1", mac: `52:54:00:10:01:0${i}` }));
    await refused(
      c.applyInstance({ id: "v9", image_id: "img", nics }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_REQUEST",
      "networks",
    );
    await refused(
      c.applyNetwork({ id: "n1/../x", cidr: "10.62.0.0/24" }),
      grpc.status.INVALID_ARGUMENT,
      "BAD_ID",
      "id",
    );
    assert.deepEqual(
      (await c.listNetworks()).networks.map((n) => n.spec!.id),
      ["n1"],
    );
    assert.deepEqual(Object.keys(a.state.instances), ["v1"]);
  });

  it("refuses bytes that are not a request at all as the caller's fault (BAD_REQUEST, not INTERNAL)", async () => {
    const raw = new grpc.Client(`unix://${path.join(a.dir, "qvmd.sock")}`, grpc.credentials.createInsecure());
    const pass = (b: Buffer) => b;
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff]);
    const unary = (rpc: string) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(`/qvmd.v1.Qvmd/${rpc}`, pass, pass, garbage, (e) => resolve(e)),
      );
    const serverStream = (rpc: string) =>
      new Promise<grpc.StatusObject>((resolve) => {
        const s = raw.makeServerStreamRequest(`/qvmd.v1.Qvmd/${rpc}`, pass, pass, garbage);
        s.on("data", () => undefined);
        s.on("error", () => undefined);
        s.on("status", resolve);
      });
    const clientStream = (rpc: string) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        const s = raw.makeClientStreamRequest(`/qvmd.v1.Qvmd/${rpc}`, pass, pass, (e) => resolve(e));
        s.write(garbage);
        s.end();
      });
    const answers = [
      await unary("ApplyNetwork"),
      await unary("Health"),
      await serverStream("ApplyInstance"),
      await clientStream("UploadBlob"),
    ];
    raw.close();
    for (const e of answers) {
      assert.ok(e, "garbage is refused");
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT, e.details);
    }
    assert.equal(answers[0]!.metadata.get("qvmd-code")[0], "BAD_REQUEST");
    assert.match(answers[0]!.details, /not a ApplyNetwork request/);
    assert.match(
      answers[3]!.details,
      /first message was 4 bytes that are not an UploadChunk \(.+\), starting 0affffff$/,
    );
    assert.deepEqual(Object.keys(a.state.networks), ["n1"], "nothing changed");
    assert.equal((await c.health()).version, "test", "and the server still answers");
  });

  it("logs a flood of refused calls once per kind and window, not once per call", async () => {
    const before = a.logs.length;
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        (i % 2 ? c.getNetwork("nope") : c.applyNetwork({ id: "n1", cidr: "10.60.0.0/33" })).catch(
          () => undefined,
        ),
      ),
    );
    // Each kind's first line in this window is logged in full (earlier tests may have logged it).
    const lines = a.logs.slice(before);
    assert.ok(lines.length <= 2, lines.join("\n"));
    for (const kind of ["ApplyNetwork failed (BAD_CIDR): ", "GetNetwork failed (NET_NOT_FOUND): "])
      assert.ok(
        a.logs.some((l) => l.startsWith(kind)),
        `${kind} logged in full: ${a.logs.join("\n")}`,
      );
  });
});
