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
