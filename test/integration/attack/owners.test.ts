// The attacker suite, ownership (finding 12): two real unprivileged users in qvmd's group. What one
// creates the other cannot read, change, delete or build on, and copying its `owner` text waives
// no check. Root still can. Each refusal names the property and leaves the host unchanged.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { TestAgent } from "../../helpers/agent";
import { assertHostUnchanged, hostSnapshot } from "../../helpers/host-snapshot";
import { useLeakCheck } from "../../helpers/leaks";
import { type CallResult, UnprivilegedUser } from "../../helpers/users";

useLeakCheck();

function expectDenied(r: CallResult, code: string, property: string): void {
  assert.equal(r.ok, false, `expected ${code}, but the call succeeded: ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.error.code, code, r.error.message);
  assert.equal(r.error.property, property, r.error.message);
  if (code === "NOT_OWNER") assert.equal(r.error.grpcCode, grpc.status.PERMISSION_DENIED);
}

const value = <T>(r: CallResult): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as T;
};

describe("attacker: another uid's objects are out of reach (finding 12)", function () {
  this.timeout(300000);
  let alice: UnprivilegedUser;
  let mallory: UnprivilegedUser;
  let agent: TestAgent;
  const cidr = "10.231.7.0/24";
  const net = { id: "alicen", cidr, dhcp: { enabled: true }, nat: true, owner: "urn:alice:net" };

  before(async () => {
    alice = await UnprivilegedUser.create();
    mallory = await UnprivilegedUser.create(alice.groups[0]);
    agent = new TestAgent({}, { socketGroup: String(await alice.socketGid()) });
    await agent.start();
    // Alice's network, image and (stopped) instance with a port forward.
    value(await alice.call(agent.socket, "applyNetwork", net));
    const disk = path.join(alice.home, "disk.raw");
    fs.writeFileSync(disk, Buffer.alloc(1024 * 1024));
    fs.chownSync(disk, alice.uid, alice.gid);
    value(await alice.call(agent.socket, "applyImage", { id: "alicei", source: `file://${disk}` }));
    value(
      await alice.call(agent.socket, "applyInstance", {
        id: "alicevm",
        image_id: "alicei",
        nics: [{ network_id: "alicen", mac: "52:54:00:aa:bb:01" }],
        running: false,
        owner: "urn:alice:vm",
        port_forwards: [{ host_port: 18080, guest_port: 80 }],
      }),
    );
  });
  after(async () => {
    await agent?.stop();
    await mallory?.remove();
    await alice?.remove();
  });

  async function attack(what: string, method: string, ...args: unknown[]): Promise<CallResult> {
    const before = await hostSnapshot(agent.stateDir);
    const r = await mallory.call(agent.socket, method, ...args);
    assertHostUnchanged(before, await hostSnapshot(agent.stateDir), what);
    return r;
  }

  it("refuses reading, changing or deleting another uid's objects, naming the id", async () => {
    for (const [method, arg] of [
      ["getNetwork", "alicen"],
      ["deleteNetwork", "alicen"],
      ["applyNetwork", { ...net, nat: false }],
      ["getImage", "alicei"],
      ["deleteImage", "alicei"],
      ["getInstance", "alicevm"],
      ["deleteInstance", "alicevm"],
      ["applyInstance", { id: "alicevm", image_id: "alicei", running: false, nics: [] }],
    ] as const)
      expectDenied(await attack(`${method} of alice's`, method, arg), "NOT_OWNER", "id");
    const listed = value<{ networks: Array<{ spec: { id: string } }> }>(
      await mallory.call(agent.socket, "listNetworks"),
    );
    assert.deepEqual(
      listed.networks.map((n) => n.spec.id),
      [],
      "another uid's networks are not listed",
    );
  });

  it("lists show a uid its own objects only (qvmctl list), and root everything", async () => {
    const ids = async (who: UnprivilegedUser | undefined, method: string, field: string) => {
      const r = who
        ? value<Record<string, Array<{ spec: { id: string } }>>>(await who.call(agent.socket, method))
        : ((await (agent.client as unknown as Record<string, () => Promise<unknown>>)[method]!()) as Record<
            string,
            Array<{ spec: { id: string } }>
          >);
      return r[field]!.map((o) => o.spec.id);
    };
    for (const [method, field, id] of [
      ["listInstances", "instances", "alicevm"],
      ["listImages", "images", "alicei"],
      ["listNetworks", "networks", "alicen"],
      ["listDnsForwarders", "dns_forwarders", undefined],
      ["listBridges", "bridges", undefined],
    ] as const) {
      assert.deepEqual(await ids(mallory, method, field), [], `${method}: mallory sees none of alice's`);
      assert.deepEqual(await ids(alice, method, field), id ? [id] : [], `${method}: alice sees hers`);
      assert.deepEqual(await ids(undefined, method, field), id ? [id] : [], `${method}: root sees all`);
    }
  });

  it("refuses building on another uid's network or image, naming the property", async () => {
    const mine = {
      id: "malvm",
      image_id: "alicei",
      running: false,
      nics: [{ network_id: "alicen", mac: "52:54:00:aa:bb:02" }],
    };
    expectDenied(await attack("instance on alice's image", "applyInstance", mine), "NOT_OWNER", "imageId");
    expectDenied(
      await attack("instance on alice's network", "applyInstance", { ...mine, image_id: "nosuch" }),
      "NOT_OWNER",
      "networks[0].networkId",
    );
    expectDenied(
      await attack("DNS on alice's network", "applyDnsForwarder", { id: "maldns", network_id: "alicen" }),
      "NOT_OWNER",
      "networkId",
    );
  });

  it("waives no check for a copied owner: overlapping network, same forwarded port", async () => {
    const check = value<{ violations: Array<{ code: string; property: string }> }>(
      await attack("check with alice's owner", "checkNetwork", { ...net, id: "maln" }),
    );
    assert.deepEqual(
      check.violations.map((v) => [v.code, v.property]),
      [["NET_OVERLAP", "cidr"]],
    );
    expectDenied(
      await attack("overlapping network", "applyNetwork", { ...net, id: "maln" }),
      "NET_OVERLAP",
      "cidr",
    );
    const ic = value<{ violations: Array<{ code: string; property: string }> }>(
      await attack("instance check with alice's owner", "checkInstance", {
        id: "malvm",
        image_id: "x",
        owner: "urn:alice:vm",
        nics: [{ network_id: "maln", mac: "52:54:00:aa:bb:07" }],
        port_forwards: [{ host_port: 18080, guest_port: 80 }],
      }),
    );
    assert.deepEqual(
      ic.violations.map((v) => [v.code, v.property]),
      [["PORT_FORWARDED", "portForwards[0].hostPort"]],
    );
    // Alice's own check with her owner text is still her resource: no conflict with itself.
    const own = value<{ violations: unknown[] }>(
      await alice.call(agent.socket, "checkNetwork", { ...net, id: "alicen2" }),
    );
    assert.deepEqual(own.violations, []);
  });

  it("lets the owner and root act: alice changes hers, root reads it, alice deletes hers", async () => {
    value(await alice.call(agent.socket, "getInstance", "alicevm"));
    const n = await agent.client!.getNetwork("alicen");
    assert.equal(n.spec!.cidr, cidr);
    value(await alice.call(agent.socket, "deleteInstance", "alicevm"));
    value(await alice.call(agent.socket, "deleteImage", "alicei"));
    value(await alice.call(agent.socket, "deleteNetwork", "alicen"));
  });
});
