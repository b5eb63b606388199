// The agent's one error helper: violations become one QvmdError, zod's verdicts become violations
// or BAD_REQUEST, and every `property` follows the one naming rule (as written in a program).
import * as assert from "node:assert/strict";
import { z } from "zod";
import { QvmdError, parseRequest, parseShape, propertyOf, violationsError } from "../../../agent/src/errors";
import { INSTANCE_RENAMES, resolveInstance } from "../../../agent/src/instance/spec";
import { NETWORK_RENAMES, resolveNetwork } from "../../../agent/src/network/spec";
import { specOf as instanceSpecOf } from "../../../agent/src/instance/spec";
import { specOf as networkSpecOf } from "../../../agent/src/network/spec";

function thrown(fn: () => unknown): QvmdError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof QvmdError, `expected a QvmdError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an error");
}

describe("agent errors", () => {
  it("names a path as a program writes it: camelCase, dots, [i], renames", () => {
    assert.equal(propertyOf(["memory_mb"]), "memoryMb");
    assert.equal(propertyOf(["nics", 0, "network_id"], INSTANCE_RENAMES), "networks[0].networkId");
    assert.equal(propertyOf(["port_forwards", 2, "host_port"]), "portForwards[2].hostPort");
    assert.equal(propertyOf(["dhcp", "reservations", 1, "ip"], NETWORK_RENAMES), "dhcp.reservations[1].ip");
    assert.equal(propertyOf(["dhcp", "lease_time_seconds"], NETWORK_RENAMES), "dhcp.leaseTime");
    assert.equal(propertyOf([]), "");
  });

  it("puts every violation in one error with the first one's code and property", () => {
    const e = violationsError([
      { property: "cidr", code: "BAD_CIDR", reason: "invalid CIDR: x" },
      { property: "mtu", code: "BAD_MTU", reason: "mtu 1 is outside 576..9000" },
    ]);
    assert.equal(e.kind, "invalid");
    assert.equal(e.code, "BAD_CIDR");
    assert.equal(e.opts.property, "cidr");
    assert.equal(e.message, "cidr: invalid CIDR: x; mtu: mtu 1 is outside 576..9000");
  });

  it("turns a bad shape into BAD_SHAPE violations named by the rule", () => {
    const shape = z.object({ ssh_keys: z.array(z.string().max(3)) });
    assert.deepEqual(parseShape(shape, { ssh_keys: ["ok"] }), { data: { ssh_keys: ["ok"] } });
    const r = parseShape(shape, { ssh_keys: ["ok", "toolong"] });
    assert.equal(r.data, undefined);
    assert.deepEqual(
      r.violations!.map((v) => [v.property, v.code]),
      [["sshKeys[1]", "BAD_SHAPE"]],
    );
    assert.deepEqual(
      resolveInstance({ id: "a", image_id: "b", nics: [{ mac: 5 as never }] }).violations.map(
        (v) => v.property,
      ),
      ["networks[0].mac"],
    );
    assert.deepEqual(
      resolveNetwork({ id: "a", cidr: "10.0.0.0/24", dhcp: { lease_time_seconds: -1 } }).violations.map(
        (v) => [v.property, v.code],
      ),
      [["dhcp.leaseTime", "BAD_SHAPE"]],
    );
  });

  it("refuses a malformed request as BAD_REQUEST naming the property, without the spec envelope", () => {
    const e = thrown(() => instanceSpecOf({ spec: { id: "a", image_id: "b", memory_mb: "lots" } }));
    assert.equal(e.code, "BAD_REQUEST");
    assert.equal(e.kind, "invalid");
    assert.equal(e.opts.property, "memoryMb");
    assert.match(e.message, /^malformed request: memoryMb: /);
    assert.equal(thrown(() => networkSpecOf({})).opts.property, "request");
    assert.equal(
      thrown(() => networkSpecOf({ spec: { id: "a", cidr: "x".repeat(65) } })).opts.property,
      "cidr",
    );
    assert.deepEqual(parseRequest(z.object({ id: z.string() }), { id: "x", extra: 1 }), { id: "x" });
  });

  it("fills the wire's defaults into a parsed spec, as the state records it", () => {
    const spec = networkSpecOf({ spec: { id: "a", cidr: "10.0.0.0/24" } });
    assert.deepEqual(spec, {
      id: "a",
      cidr: "10.0.0.0/24",
      gateway: "",
      dhcp: null,
      nat: false,
      isolated: false,
      mtu: 0,
      owner: "",
    });
  });
});
