// What a Bridge may touch on the host (finding 4): only the admin's uplinks and adoptable
// bridges, never our own interfaces, and addresses inside the admin's ranges, over no other
// network or route.
import * as assert from "node:assert/strict";
import { bridgePolicyViolations, type HostFacts } from "../../../agent/src/bridge/policy";
import { bridgeSpecShape } from "../../../agent/src/bridge/spec";
import { defaultConfig } from "../../../agent/src/config";

const facts: HostFacts = {
  networks: [{ id: "n1", cidr: "10.10.0.0/24" }],
  routes: [
    { dst: "192.168.1.0/24", dev: "eth0" },
    { dst: "10.10.0.0/24", dev: "qvmn1h" },
    { dst: "172.20.0.0/16", dev: "br0" },
  ],
};
const codes = (spec: object, adopting = false, policy = defaultConfig().bridges) =>
  bridgePolicyViolations(
    bridgeSpecShape.parse({ id: "b", name: "qvbr0", ...spec }),
    policy,
    facts,
    adopting,
  ).map((v) => `${v.property} ${v.code}`);

describe("bridge policy", () => {
  it("allows nothing of the host's by default", () => {
    assert.deepEqual(codes({ uplink: "eth0" }), ["uplink UPLINK_NOT_ALLOWED"]);
    assert.deepEqual(codes({ name: "docker0" }, true), ["name BRIDGE_NOT_ALLOWED"]);
    assert.deepEqual(codes({}), []);
  });

  it("allows what the admin listed, never an interface of ours", () => {
    const policy = { ...defaultConfig().bridges, uplinks: ["eth1", "qvmn1h"], adoptable: ["br0", "qvmn1b"] };
    assert.deepEqual(codes({ uplink: "eth1" }, false, policy), []);
    assert.deepEqual(codes({ uplink: "qvmn1h" }, false, policy), ["uplink BAD_UPLINK"]);
    assert.deepEqual(codes({ uplink: "qvt1234abcd0" }, false, policy), ["uplink BAD_UPLINK"]);
    assert.deepEqual(codes({ name: "br0" }, true, policy), []);
    assert.deepEqual(codes({ name: "qvmn1b" }, true, policy), ["name BRIDGE_NOT_ALLOWED"]);
  });

  it("keeps addresses in the admin's ranges and off other networks and routes", () => {
    assert.deepEqual(codes({ address: "8.8.8.1/24" }), ["address ADDRESS_NOT_ALLOWED"]);
    assert.deepEqual(codes({ address: "10.0.0.1/8" }), ["address NET_OVERLAP"]);
    assert.deepEqual(codes({ address: "10.10.0.77/24" }), ["address NET_OVERLAP"]);
    assert.deepEqual(codes({ address: "192.168.1.5/24" }), ["address ROUTE_OVERLAP"]);
    assert.deepEqual(
      codes({ address: "192.168.1.5/24", uplink: "eth0" }, false, {
        ...defaultConfig().bridges,
        uplinks: ["eth0"],
      }),
      [],
    );
    assert.deepEqual(codes({ address: "10.20.0.1/24" }), []);
  });
});
