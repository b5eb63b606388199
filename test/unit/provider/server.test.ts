// The provider's ResourceProvider gRPC server, in process, against an in-process qvmd fake that
// serves the real proto: check, diff, create, read, update, delete, preview unknowns and the
// translation of agent errors, for every resource, without root.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { fromStruct, type Props, toStruct, UNKNOWN } from "../../../provider/src/props";
import { EngineClient, urnOf } from "../../helpers/engine";
import { FakeQvmd } from "../../helpers/fake-qvmd";

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema.json"), "utf8")) as {
  resources: Record<string, { properties: Record<string, unknown>; required: string[] }>;
};

describe("provider gRPC server with a fake qvmd (no root)", function () {
  this.timeout(20000);
  let fake: FakeQvmd;
  const engine = new EngineClient();
  const call = engine.call.bind(engine);
  const check = engine.check.bind(engine);
  const checked = engine.checked.bind(engine);
  const create = engine.create.bind(engine);
  const read = engine.read.bind(engine);
  const remove = engine.remove.bind(engine);

  before(async () => {
    // No wait for a restarting qvmd (provider/src/resilience.ts, tested on its own): an UNAVAILABLE
    // here stands at once.
    process.env.QVMD_RESTART_WAIT_SECONDS = "0";
    fake = await new FakeQvmd().start();
    await engine.start(fake.socket);
  });

  after(async () => {
    delete process.env.QVMD_RESTART_WAIT_SECONDS;
    await engine.stop();
    await fake.stop();
  });

  beforeEach(() => {
    fake.calls.length = 0;
    fake.violations = [];
  });

  it("serves its schema and version", async () => {
    const s = await call<pb.GetSchemaResponse>("getSchema", new pb.GetSchemaRequest());
    assert.equal(
      s.getSchema(),
      fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema.json"), "utf8"),
    );
    const info = await call<{ getVersion(): string }>("getPluginInfo", new Empty());
    assert.match(info.getVersion(), /^\d+\.\d+\.\d+/);
  });

  it("Network: check fills defaults and asks the agent, naming its `id` as `name`", async () => {
    const inputs = await checked("Network", "n", { cidr: "10.9.0.0/24", name: "n1" });
    assert.deepEqual(inputs, {
      cidr: "10.9.0.0/24",
      name: "n1",
      dhcp: { enabled: true, reservations: [] },
      nat: true,
      isolated: false,
      mtu: 1500,
    });
    assert.ok(fake.rpcs.includes("CheckNetwork"));
    fake.violations = [{ property: "id", code: "NET_OVERLAP", reason: "overlaps network b" }];
    const { failures } = await check("Network", "n", { cidr: "10.9.0.0/24", name: "n1" });
    assert.deepEqual(failures, [{ property: "name", reason: "overlaps network b" }]);
  });

  it("Network: diff replaces on name, cidr and gateway only", async () => {
    const diff = await call<pb.DiffResponse>(
      "diff",
      new pb.DiffRequest()
        .setUrn(urnOf("Network", "n"))
        .setId("n1")
        .setOldInputs(toStruct({ cidr: "10.9.0.0/24", mtu: 1500 }))
        .setNews(toStruct({ cidr: "10.8.0.0/24", mtu: 1400, nat: false })),
    );
    assert.deepEqual(diff.getReplacesList(), ["cidr"]);
    assert.deepEqual(diff.getDiffsList().sort(), ["cidr", "mtu", "nat"]);
    const K = pb.PropertyDiff.Kind;
    assert.equal(diff.getDetaileddiffMap().get("cidr")?.getKind(), K.UPDATE_REPLACE);
    assert.equal(diff.getDetaileddiffMap().get("mtu")?.getKind(), K.UPDATE);
    assert.equal(diff.getDetaileddiffMap().get("nat")?.getKind(), K.ADD);
    assert.equal(diff.getDeletebeforereplace(), true);
  });

  it("Network: previews unknowns, then creates, reads, updates and deletes through the agent", async () => {
    const inputs = await checked("Network", "n", { cidr: "10.9.0.0/24" });
    const preview = await create("Network", "n", inputs, true);
    assert.equal(preview.id, "");
    assert.equal(preview.outputs.namespace, UNKNOWN);
    assert.equal(preview.outputs.name, UNKNOWN, "a random name is known only after create");
    assert.equal(preview.outputs.mtu, 1500);
    assert.ok(!fake.rpcs.includes("ApplyNetwork"), "preview changes nothing");

    const { id, outputs } = await create("Network", "n", inputs);
    assert.match(id, /^[0-9a-f]{8}$/);
    assert.equal(outputs.name, id);
    assert.equal(outputs.namespace, `qvm-${id}`);
    assert.equal(outputs.gateway, "10.9.0.1");
    assert.equal(fake.networks.get(id)?.owner, urnOf("Network", "n"));

    assert.deepEqual(await read("Network", "n", id, inputs), { id, inputs, outputs });

    const res = await call<pb.UpdateResponse>(
      "update",
      new pb.UpdateRequest()
        .setUrn(urnOf("Network", "n"))
        .setId(id)
        .setOldInputs(toStruct(inputs))
        .setNews(toStruct({ ...inputs, mtu: 1400 })),
    );
    assert.equal(fromStruct(res.getProperties()).mtu, 1400);
    assert.equal(fake.networks.get(id)?.mtu, 1400);

    await remove("Network", "n", id);
    assert.equal(fake.networks.has(id), false);
    assert.equal((await read("Network", "n", id, inputs)).id, "", "NOT_FOUND reads as gone");
  });

  it("translates an agent error into the engine's message: code, property, reason and hint", async () => {
    const inputs = await checked("Network", "n", { cidr: "10.9.0.0/24", name: "n2" });
    fake.failNext.set("ApplyNetwork", {
      kind: "invalid",
      code: "NET_OVERLAP",
      message: "10.9.0.0/24 overlaps network b",
      property: "cidr",
      hint: "pick another range",
    });
    const e = await create("Network", "n", inputs).catch((x: grpc.ServiceError) => x);
    assert.ok(e instanceof Error);
    assert.equal((e as grpc.ServiceError).code, grpc.status.UNKNOWN);
    assert.equal(
      (e as grpc.ServiceError).details,
      "qvmd NET_OVERLAP (property cidr): 10.9.0.0/24 overlaps network b. Hint: pick another range",
    );
  });

  it("never reads a resource as gone when the agent does not answer (unknown is not absent)", async () => {
    fake.failNext.set("GetBridge", grpc.status.UNAVAILABLE);
    const e = await read("Bridge", "b", "abc", { name: "qvb" }).catch((x: grpc.ServiceError) => x);
    assert.ok(e instanceof Error, "a read that cannot reach the agent fails");
    assert.match((e as grpc.ServiceError).details, /UNAVAILABLE/);
  });

  it("Instance: derives stable MACs, even in preview, and passes on the agent's violations", async () => {
    const news = { imageId: "img1", networks: [{ networkId: "n1" }, { networkId: UNKNOWN }] };
    const unknown = await check("Instance", "vm", news);
    assert.deepEqual(unknown.failures, []);
    const macs = (unknown.inputs.networks as Props[]).map((n) => n.mac);
    assert.match(String(macs[0]), /^52:54:00:/);
    assert.notEqual(macs[0], macs[1]);

    fake.violations = [
      { property: "networks[0].mac", code: "DUPLICATE_MAC", reason: "used by instance b" },
      { property: "imageId", code: "UNKNOWN_IMAGE", reason: "not yet created" },
    ];
    const c = await check(
      "Instance",
      "vm",
      { imageId: "img1", networks: [{ networkId: "n1" }] },
      { diskGb: 10 },
    );
    assert.deepEqual(c.failures, [{ property: "networks[0].mac", reason: "used by instance b" }]);
    assert.equal((c.inputs.networks as Props[])[0]!.mac, macs[0], "the same MAC in preview and update");
  });

  it("Instance: a failed create deletes the VM, unless the outcome is unknown", async () => {
    const inputs = await checked("Instance", "vm", { imageId: "img1", networks: [{ networkId: "n1" }] });
    fake.calls.length = 0;
    fake.failNext.set("ApplyInstance", { kind: "internal", code: "INSTANCE_NO_IP", message: "no address" });
    await assert.rejects(create("Instance", "vm", inputs), /INSTANCE_NO_IP/);
    assert.deepEqual(
      fake.rpcs.filter((r) => r.endsWith("Instance")),
      ["ApplyInstance", "DeleteInstance"],
    );

    fake.calls.length = 0;
    fake.failNext.set("ApplyInstance", grpc.status.DEADLINE_EXCEEDED);
    await assert.rejects(create("Instance", "vm", inputs), /DEADLINE_EXCEEDED/);
    assert.deepEqual(
      fake.rpcs.filter((r) => r.endsWith("Instance")),
      ["ApplyInstance"],
    );
  });

  it("Instance: a VM stopped behind Pulumi's back reads as running: false", async () => {
    const inputs = await checked("Instance", "vm", { imageId: "img1" });
    const { id } = await create("Instance", "vm", inputs);
    fake.instances.get(id)!.running = false;
    const r = await read("Instance", "vm", id, inputs);
    assert.equal(r.inputs.running, false);
    assert.equal(r.outputs.state, "stopped");
    await remove("Instance", "vm", id);
  });

  const samples: Record<string, Props> = {
    Network: { cidr: "10.7.0.0/24" },
    Bridge: { name: "qvbr0" },
    Image: { source: "https://images.example/a.qcow2" },
    Instance: {
      imageId: "img1",
      networks: [{ networkId: "n1" }],
      portForwards: [{ hostPort: 8080, guestPort: 80 }],
    },
    DnsForwarder: { networkId: "n1", zone: "dev.internal" },
  };
  for (const [type, news] of Object.entries(samples))
    it(`${type}: outputs are the schema's properties, the same from create and read, gone after delete`, async () => {
      const s = schema.resources[`qemu:index:${type}`]!;
      const inputs = await checked(type, "x", news);
      const { id, outputs } = await create(type, "x", inputs);
      for (const k of Object.keys(outputs)) assert.ok(k in s.properties, `${k} is not in the schema`);
      for (const k of s.required) assert.ok(outputs[k] !== undefined, `required output ${k} is missing`);
      assert.deepEqual((await read(type, "x", id, inputs)).outputs, outputs);
      const imported = await read(type, "x", id, {});
      assert.equal(imported.id, id, "import reads the resource back");
      await remove(type, "x", id);
      assert.equal((await read(type, "x", id, inputs)).id, "");
    });

  it("refuses a bad input in check, before any agent call, naming the property", async () => {
    const c = await check("DnsForwarder", "d", {
      networkId: "n1",
      upstreams: ["1.1.1.1"],
      resolvConf: "/etc/r",
    });
    assert.deepEqual(c.failures, [
      { property: "resolvConf", reason: "give upstreams or resolvConf, not both" },
    ]);
    const b = await check("Bridge", "b", { name: "qv-a-very-long-name", mtu: 100 });
    assert.deepEqual(
      b.failures.map((f) => f.property),
      ["name", "mtu"],
    );
    assert.ok(!fake.rpcs.some((r) => r.startsWith("Apply") || r.startsWith("Check")));
  });

  it("fails a call for a type it does not serve", async () => {
    await assert.rejects(check("Volume", "v", {}), /unknown resource type qemu:index:Volume/);
  });
});
