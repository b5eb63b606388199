// Bridges (agent/src/bridge/manager.ts) over a fake host: an uplink's addresses and routes are
// recorded before they move and come back on delete; adopted bridges are never deleted; every
// refusal names the property and changes nothing.
import * as assert from "node:assert/strict";
import type { BridgeSpec } from "../../../agent/src/bridge/spec";
import { FakeAgent, rejects } from "../../helpers/fake-agent";

const spec = (over: Partial<BridgeSpec> = {}): BridgeSpec => ({
  id: "b1",
  name: "qvbr0",
  address: "",
  uplink: "",
  stp: false,
  mtu: 0,
  adopt: false,
  owner: "",
  ...over,
});

describe("Bridges (fake host)", () => {
  let a: FakeAgent;
  beforeEach(() => {
    a = new FakeAgent();
    a.bridgeHost.addLink("eth1", { addresses: ["192.168.7.5/24"] }, [
      { dst: "default", gateway: "192.168.7.1", metric: 100 },
    ]);
  });
  afterEach(() => a.close());

  it("moves an uplink's addresses and routes to the bridge, recorded before the move", async () => {
    const s = await a.bridges.apply(spec({ uplink: "eth1", address: "192.168.7.6/24" }), 0);
    assert.deepEqual(s.addresses, ["192.168.7.6/24", "192.168.7.5/24"]);
    assert.deepEqual(s.moved, ["192.168.7.5/24"]);
    assert.deepEqual(s.drift, []);
    assert.equal(a.bridgeHost.links.get("eth1")!.master, "qvbr0");
    assert.deepEqual(a.bridgeHost.links.get("eth1")!.addresses, []);
    assert.deepEqual(
      a.bridgeHost.routes.get("qvbr0")!.map((r) => r.dst),
      ["default"],
    );
    assert.deepEqual(a.state.bridges.b1!.uplinkRoutes, [
      { dst: "default", gateway: "192.168.7.1", metric: 100 },
    ]);
    assert.equal(a.state.bridges.b1!.created, true);
  });

  it("a crash after the move still knows what to restore; a re-apply does not re-read the moved state", async () => {
    a.bridgeHost.failOn("replaceAddress 192.168.7.5/24 qvbr0");
    await rejects(a.bridges.apply(spec({ uplink: "eth1" }), 0), "HOST_COMMAND_FAILED");
    assert.deepEqual(a.state.bridges.b1!.uplinkAddresses, ["192.168.7.5/24"]);
    a.boot();
    await a.bridges.apply(spec({ uplink: "eth1" }), 0);
    assert.deepEqual(a.state.bridges.b1!.uplinkAddresses, ["192.168.7.5/24"], "not the now-empty uplink");
    assert.equal(await a.bridges.delete("b1", () => []), true);
    assert.deepEqual(a.bridgeHost.links.get("eth1"), {
      addresses: ["192.168.7.5/24"],
      master: undefined,
      up: true,
    });
    assert.deepEqual(
      a.bridgeHost.routes.get("eth1")!.map((r) => r.dst),
      ["default"],
    );
    assert.equal(a.bridgeHost.links.has("qvbr0"), false);
  });

  it("adopts an existing bridge and never deletes it", async () => {
    a.bridgeHost.addLink("br-lan", { kind: "bridge", addresses: ["10.1.0.1/24"] });
    await a.bridges.apply(spec({ name: "br-lan", adopt: true, address: "10.1.0.2/24" }), 0);
    assert.equal(a.state.bridges.b1!.created, false);
    assert.deepEqual(await a.bridges.describe("b1"), { name: "br-lan", address: "10.1.0.1/24" });
    await a.bridges.delete("b1", () => []);
    assert.deepEqual(a.bridgeHost.links.get("br-lan")!.addresses, ["10.1.0.1/24"], "only our address goes");
  });

  it("refuses what it must not touch, naming the property, and records nothing", async () => {
    a.bridgeHost.addLink("qvtaken", { kind: "veth" });
    a.bridgeHost.addLink("qvexists", { kind: "bridge" });
    a.bridgeHost.addLink("eth2", { master: "docker0" });
    await rejects(a.bridges.apply(spec({ name: "qvtaken" }), 0), "NOT_A_BRIDGE", "name");
    await rejects(a.bridges.apply(spec({ name: "qvexists" }), 0), "BRIDGE_EXISTS", "name");
    await rejects(a.bridges.apply(spec({ name: "qvnone", adopt: true }), 0), "BRIDGE_MISSING", "name");
    await rejects(a.bridges.apply(spec({ uplink: "eth9" }), 0), "UPLINK_MISSING", "uplink");
    await rejects(a.bridges.apply(spec({ uplink: "eth2" }), 0), "UPLINK_TAKEN", "uplink");
    await rejects(a.bridges.apply(spec({ name: "br0" }), 0), "BAD_NAME", "name");
    assert.deepEqual(a.state.bridges, {});
    assert.deepEqual(a.bridgeHost.calls, []);
  });

  it("keeps its name, refuses deletion while used, reports drift and NOT_FOUND", async () => {
    await a.bridges.apply(spec({ uplink: "eth1" }), 0);
    await rejects(a.bridges.apply(spec({ name: "qvbr1" }), 0), "BRIDGE_IMMUTABLE", "name");
    const e = await rejects(
      a.bridges.delete("b1", () => ["v1"]),
      "BRIDGE_IN_USE",
    );
    assert.match(e.message, /v1/);
    await a.bridgeHost.release("eth1");
    assert.deepEqual((await a.bridges.status("b1")).drift, ["uplink eth1 not enslaved"]);
    await a.bridgeHost.deleteLink("qvbr0");
    assert.deepEqual((await a.bridges.status("b1")).drift, [
      "bridge qvbr0 missing",
      "uplink eth1 not enslaved",
    ]);
    await a.bridges.apply(spec({ uplink: "eth1" }), 0);
    assert.deepEqual((await a.bridges.status("b1")).drift, []);
    await a.bridges.delete("b1", () => []);
    assert.equal(await a.bridges.delete("b1", () => []), false);
    await rejects(a.bridges.status("b1"), "BRIDGE_NOT_FOUND");
  });
});
