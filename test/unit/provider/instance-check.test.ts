import * as assert from "node:assert/strict";
import { instance } from "../../../provider/src/resources/instance";

const ctx = {
  urn: "urn:pulumi:s::p::qemu:index:Instance::web",
  agent: () => Promise.reject(new Error("no agent in unit tests")),
  timeoutMs: 1000,
  progress: () => undefined,
  newId: (fixed?: string) => fixed ?? "0a1b2c3d",
};

describe("Instance check (provider side)", () => {
  it("derives a MAC when none is given, and keeps it across checks", async () => {
    const a = await instance.check(ctx, { imageId: "i", networks: [{ networkId: "n" }] }, {});
    const b = await instance.check(ctx, { imageId: "i", networks: [{ networkId: "n" }] }, a.inputs);
    assert.deepEqual(a.failures, []);
    assert.deepEqual(a.inputs.networks, b.inputs.networks);
    assert.match((a.inputs.networks as Array<{ mac: string }>)[0]!.mac, /^52:54:00:/);
  });
  it("rejects shrinking the disk", async () => {
    const { failures } = await instance.check(ctx, { imageId: "i", diskGb: 5 }, { imageId: "i", diskGb: 10 });
    assert.equal(failures[0]?.property, "diskGb");
    assert.match(failures[0]!.reason, /cannot shrink the disk from 10 to 5/);
  });
  it("names each bad property", async () => {
    const { failures } = await instance.check(
      ctx,
      {
        imageId: "i",
        cpus: 0,
        memoryMb: 1,
        networks: [{ networkId: "n", mac: "zz" }],
        userData: "x".repeat(1024 * 1024 + 1),
        portForwards: [{}],
      },
      {},
    );
    assert.deepEqual(failures.map((f) => f.property).sort(), [
      "cpus",
      "memoryMb",
      "networks[0].mac",
      "portForwards[0].guestPort",
      "portForwards[0].hostPort",
      "userData",
    ]);
  });
});

describe("Instance outputs (provider side)", () => {
  const wireOf = (spec: Record<string, unknown>) => ({
    spec: { id: "c1", image_id: "", template_id: "", cpus: 1, memory_mb: 512, ...spec },
    state: "running",
    pid: 42,
    nics: [
      { network_id: "n", bridge_id: "", mac: "52:54:00:00:00:01", tap: "t", ip: "10.0.0.5", source: "dhcp" },
    ],
    serial_log: "/s",
    accel: "tcg",
    disk_gb: 3,
  });
  const read = (w: ReturnType<typeof wireOf>, inputs: Record<string, unknown>) =>
    instance.read({ ...ctx, agent: async () => ({ getInstance: async () => w }) as never }, "c1", inputs);

  it("a clone's imageId, cpus and memoryMb are its template's, as qvmd reports them", async () => {
    const r = await read(wireOf({ template_id: "t", image_id: "img", cpus: 2, memory_mb: 256 }), {
      templateId: "t",
      networks: [{ networkId: "n", mac: "52:54:00:00:00:01" }],
    });
    assert.deepEqual(
      [r?.outputs.imageId, r?.outputs.cpus, r?.outputs.memoryMb, r?.outputs.templateId],
      ["img", 2, 256, "t"],
    );
    assert.equal(r?.inputs.imageId, undefined, "not an input: a later diff is unaffected");
  });

  it("an instance booted from an image keeps its inputs as outputs", async () => {
    const r = await read(wireOf({ image_id: "img", memory_mb: 1024 }), { imageId: "img", memoryMb: 1024 });
    assert.deepEqual([r?.outputs.imageId, r?.outputs.memoryMb, r?.outputs.cpus], ["img", 1024, undefined]);
  });
});
