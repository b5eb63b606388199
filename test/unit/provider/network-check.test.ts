// Shape errors are reported by the provider itself, before any agent is needed.
import * as assert from "node:assert/strict";
import { network } from "../../../provider/src/resources/network";
import { UNKNOWN } from "../../../provider/src/props";

const ctx = {
  urn: "urn:pulumi:s::p::qemu:index:Network::n",
  agent: () => Promise.reject(new Error("no agent in unit tests")),
  timeoutMs: 1000,
  progress: () => undefined,
  newId: (fixed?: string) => fixed ?? "0a1b2c3d",
};

describe("Network check (provider side)", () => {
  it("names the property and the reason for each shape error", async () => {
    const { failures } = await network.check(
      ctx,
      { cidr: 5, name: "waytoolongname", mtu: "big", extra: 1 },
      {},
    );
    const byProp = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(byProp.name!, /too long.*15 characters/);
    assert.match(byProp.cidr!, /must be a string like/);
    assert.match(byProp.mtu!, /expected number/);
    assert.match(failures.find((f) => f.reason.includes("unknown properties"))!.reason, /extra/);
  });

  it("requires cidr", async () => {
    const { failures } = await network.check(ctx, {}, {});
    assert.deepEqual(
      failures.map((f) => f.property),
      ["cidr"],
    );
  });

  it("passes unknown (preview) inputs through untouched", async () => {
    const { inputs, failures } = await network.check(ctx, { cidr: UNKNOWN }, {});
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, { cidr: UNKNOWN });
  });
});
