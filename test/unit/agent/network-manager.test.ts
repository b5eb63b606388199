// Networks (agent/src/network/manager.ts) over a fake host: what is recorded before the host is
// touched, the order of creation, idempotent re-apply, teardown whatever the record says, the
// firewall-only re-assert, drift, and ip_forward restored after the last network.
import * as assert from "node:assert/strict";
import { FakeAgent, netSpec, rejects } from "../../helpers/fake-agent";

describe("Networks (fake host)", () => {
  let a: FakeAgent;
  beforeEach(() => (a = new FakeAgent()));
  afterEach(() => a.close());

  it("records the spec, then creates netns, links, guest fence with table, bridge, forwarding and DHCP in that order", async () => {
    const s = await a.networks.apply(netSpec(), 0);
    assert.equal(s.network.id, "a");
    assert.deepEqual(a.net.calls, [
      "ensureNetworkDir a",
      "observe a",
      "ipBatch root 5",
      // The fence is there before the namespace's bridge and veth come up (the next batch); the
      // root namespace's table is made at the same time.
      "applyFence qvm-a",
      "nftApply qvm_a",
      "ensureForwardAccept a 10.50.0.0/24",
      "ipBatch qvm-a 9",
      "writeIpForward 1",
      "ensureDhcp a",
    ]);
    assert.ok(a.net.links.has("/qvmah") && a.net.links.has("qvm-a/qvman") && a.net.links.has("qvm-a/qvmab"));
    assert.equal(a.state.host.ipForwardBefore, "0");
    assert.deepEqual(s.drift, []);
  });

  it("brings the namespace's links up after the guest fence, while the root namespace's table is made", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const nftApply = a.net.nftApply.bind(a.net);
    a.net.nftApply = async (script) => {
      await gate;
      return nftApply(script);
    };
    const done = a.networks.apply(netSpec(), 0);
    // The record is written to a real file first: wait for the host calls, not a fixed number of ticks.
    for (let until = Date.now() + 3000; !a.net.calls.includes("ipBatch qvm-a 9") && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 2));
    const calls = [...a.net.calls];
    assert.ok(calls.includes("ipBatch qvm-a 9"), `the namespace's batch ran (calls: ${calls.join(", ")})`);
    assert.ok(calls.indexOf("applyFence qvm-a") < calls.indexOf("ipBatch qvm-a 9"), "after the fence");
    assert.ok(!calls.some((c) => c.startsWith("nftApply")), "while the table is still being made");
    release();
    await done;
    assert.deepEqual((await a.networks.get("a")).drift, []);
  });

  it("knows what to clean up when the host fails half-way, and converges on retry", async () => {
    a.net.failOn("nftApply");
    await rejects(a.networks.apply(netSpec(), 0), "HOST_COMMAND_FAILED");
    assert.ok(a.state.networks.a, "recorded before the host was touched");
    assert.ok(a.net.netns.has("qvm-a"));
    assert.deepEqual((await a.networks.get("a")).drift, [
      // The namespace's batch ran beside the table, which failed; what follows both did not run.
      "nft table inet qvm_a missing",
      "DHCP server not running",
      "FORWARD rules of a missing",
    ]);
    await a.networks.apply(netSpec(), 0);
    assert.deepEqual((await a.networks.get("a")).drift, []);
  });

  it("re-applies without re-creating what exists", async () => {
    await a.networks.apply(netSpec(), 0);
    a.net.calls.length = 0;
    await a.networks.apply(netSpec({ mtu: 1400 }), 0);
    assert.deepEqual(
      a.net.only("ipBatch"),
      ["ipBatch root 3", "ipBatch qvm-a 8"],
      "no netns, veth or bridge made again",
    );
    assert.deepEqual(a.net.only("writeIpForward"), [], "ip_forward is already on");
  });

  it("makes the fence and table of a namespace made now as new ones, and replaces them otherwise", async () => {
    await a.networks.apply(netSpec(), 0);
    assert.deepEqual(a.net.madeAbsent, ["fence qvm-a", "qvm_a"]);
    a.net.madeAbsent.length = 0;
    await a.networks.apply(netSpec({ mtu: 1400 }), 0);
    await a.networks.refreshFence("a");
    await a.networks.refreshFirewall("a");
    await a.networks.reassertFirewall("test");
    assert.deepEqual(a.net.madeAbsent, [], "the namespace existed: replaced");
    // A host reboot: the namespace is gone with everything in it; the re-assert makes it anew.
    await a.net.deleteNetns("a");
    await a.networks.reassertAll(() => undefined);
    assert.deepEqual(a.net.madeAbsent, ["fence qvm-a", "qvm_a"]);
  });

  it("a host veth left without its namespace (a delete the kernel is still finishing) goes before the veth is made again", async () => {
    a.net.links.add("/qvmah");
    await a.networks.apply(netSpec(), 0);
    assert.deepEqual(a.net.only("removeStaleVeth", "ipBatch root"), ["removeStaleVeth a", "ipBatch root 5"]);
    assert.ok(a.net.links.has("qvm-a/qvman"), "the veth pair made anew");
    a.net.calls.length = 0;
    await a.networks.apply(netSpec(), 0);
    assert.deepEqual(a.net.only("removeStaleVeth"), [], "a veth with its namespace is left alone");
  });

  it("refuses a changed cidr, an overlap with another network or a host route, naming cidr", async () => {
    await a.networks.apply(netSpec(), 0);
    await rejects(a.networks.apply(netSpec({ cidr: "10.51.0.0/24" }), 0), "NET_IMMUTABLE", "cidr");
    await rejects(a.networks.apply(netSpec({ id: "b", cidr: "10.50.0.0/16" }), 0), "NET_OVERLAP", "cidr");
    a.net.routes = [{ dst: "10.60.1.0/24", dev: "eth0", table: "main" }];
    const v = await a.networks.check(netSpec({ id: "c", cidr: "10.60.0.0/16" }), 0);
    assert.deepEqual(
      v.map((x) => [x.property, x.code]),
      [["cidr", "ROUTE_OVERLAP"]],
    );
    await rejects(a.networks.apply(netSpec({ id: "c", cidr: "10.60.0.0/16" }), 0), "ROUTE_OVERLAP", "cidr");
    assert.deepEqual(Object.keys(a.state.networks), ["a"], "nothing recorded for refused specs");
  });

  it("an owner's own network does not overlap itself (replacement creates before it deletes)", async () => {
    await a.networks.apply(netSpec({ owner: "urn:x" }), 0);
    await a.networks.apply(netSpec({ id: "b", owner: "urn:x" }), 0);
    assert.deepEqual(Object.keys(a.state.networks).sort(), ["a", "b"]);
  });

  it("deletes whatever exists even without a record, and restores ip_forward after the last", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.networks.apply(netSpec({ id: "b", cidr: "10.52.0.0/24" }), 0);
    assert.equal(await a.networks.delete("a"), true);
    assert.equal(a.net.ipForward, "1", "b still needs forwarding");
    assert.equal(await a.networks.delete("b"), true);
    assert.equal(a.net.ipForward, "0");
    assert.equal(a.state.host.ipForwardBefore, undefined);
    assert.deepEqual([a.net.netns.size, a.net.links.size, a.net.tables.size, a.net.dhcp.size], [0, 0, 0, 0]);
    // A crash between creating and recording: objects exist, no record.
    await a.net.addNetns("z");
    a.net.tables.add("qvm_z");
    assert.equal(await a.networks.delete("z"), false);
    assert.deepEqual([a.net.netns.size, a.net.tables.size], [0, 0]);
  });

  it("deletes the table and the FORWARD rules at once, and goes on only when both are done", async () => {
    await a.networks.apply(netSpec(), 0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const del = a.net.nftDeleteTable.bind(a.net);
    a.net.nftDeleteTable = async (id) => {
      await gate;
      return del(id);
    };
    a.net.calls.length = 0;
    const done = a.networks.delete("a");
    for (let until = Date.now() + 3000; !a.net.calls.includes("removeForwardAccept a") && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 2));
    assert.ok(a.net.calls.includes("removeForwardAccept a"), "while the table's delete is in flight");
    assert.ok(!a.net.calls.includes("deleteLinks a"), "the links wait for both");
    release();
    assert.equal(await done, true);
    assert.deepEqual([a.net.tables.size, a.net.forwardAccept.size, a.net.netns.size], [0, 0, 0]);
  });

  it("runs two networks' creates at once, and one network's calls one after the other", async () => {
    let inFlight = 0;
    let most = 0;
    const batch = a.net.ipBatch.bind(a.net);
    a.net.ipBatch = async (lines, ns) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return batch(lines, ns);
    };
    await Promise.all([
      a.networks.apply(netSpec(), 0),
      a.networks.apply(netSpec({ id: "b", cidr: "10.52.0.0/24" }), 0),
    ]);
    assert.equal(most, 2, "different networks overlap");
    most = 0;
    await Promise.all([
      a.networks.apply(netSpec(), 0),
      a.networks.apply(netSpec(), 0),
      a.networks.delete("b"),
    ]);
    assert.equal(most, 1, "the same network's calls queue (and b's delete runs no batch)");
    // Overlap is still decided against every record: a concurrent overlapping create is refused.
    const [x, y] = await Promise.allSettled([
      a.networks.apply(netSpec({ id: "c", cidr: "10.60.0.0/24" }), 0),
      a.networks.apply(netSpec({ id: "d", cidr: "10.60.0.0/16" }), 0),
    ]);
    assert.deepEqual([x.status, y.status], ["fulfilled", "rejected"]);
  });

  it("refuses to delete a network an instance uses", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.state.update((d) => {
      d.instances.v = {
        spec: { nics: [{ network_id: "a", mac: "52:54:00:00:00:01" }] } as never,
        blobs: [],
        diskGb: 1,
        addresses: {},
        launchKey: "",
        createdAt: "",
      };
    });
    const e = await rejects(a.networks.delete("a"), "NET_IN_USE");
    assert.equal(e.kind, "precondition");
    assert.ok(a.net.netns.has("qvm-a"));
  });

  it("repairs only the firewall on the guard's request, under its suppression", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.networks.apply(netSpec({ id: "b", cidr: "10.52.0.0/24" }), 0);
    let suppressed = 0;
    a.networks.guard = {
      suppress: async (f) => (suppressed++, f()),
      status: () => ({ watching: true }),
      stop: async () => undefined,
      noteRepair: () => undefined,
    };
    a.net.tables.clear();
    a.net.forwardAccept.clear();
    assert.deepEqual(await a.networks.firewallCheck(), [
      "nft table inet qvm_a missing",
      "nft table inet qvm_b missing",
      "FORWARD rules of a missing",
      "FORWARD rules of b missing",
    ]);
    a.net.calls.length = 0;
    await a.networks.reassertFirewall("flush ruleset");
    assert.deepEqual(a.net.calls, [
      "nftApply qvm_a",
      "ensureForwardAccept a 10.50.0.0/24",
      "nftApply qvm_b",
      "ensureForwardAccept b 10.52.0.0/24",
    ]);
    assert.equal(suppressed, 2);
    assert.deepEqual(await a.networks.firewallCheck(), []);
  });

  it("repairs every network's firewall even when one fails, then reports the failure", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.networks.apply(netSpec({ id: "b", cidr: "10.52.0.0/24" }), 0);
    a.net.failOn("nftApply qvm_a");
    await assert.rejects(a.networks.reassertFirewall("x"), /firewall repair after "x" failed: a: /);
    assert.deepEqual(a.net.only("nftApply").slice(-2), ["nftApply qvm_a", "nftApply qvm_b"]);
  });

  it("re-asserts every recorded network after a restart, leaving what matches alone", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.net.deleteNetns("a");
    a.net.tables.clear();
    a.boot();
    a.net.calls.length = 0;
    await a.networks.reassertAll(() => undefined);
    assert.deepEqual((await a.networks.get("a")).drift, []);
    assert.deepEqual(a.net.only("ipBatch"), ["ipBatch root 5", "ipBatch qvm-a 9"]);
  });

  it("serves instances' fixed addresses as reservations, and reads NOT_FOUND for unknown ids", async () => {
    await a.networks.apply(netSpec(), 0);
    await a.state.update((d) => {
      d.instances.v = {
        spec: {
          hostname: "web",
          nics: [{ network_id: "a", mac: "52:54:00:AA:00:01", ip: "10.50.0.9" }],
        } as never,
        blobs: [],
        diskGb: 1,
        addresses: {},
        launchKey: "",
        createdAt: "",
      };
    });
    await a.networks.refreshDhcp("a");
    assert.deepEqual(a.net.dhcp.get("a")!.extra, [
      { mac: "52:54:00:aa:00:01", ip: 0x0a320009, hostname: "web" },
    ]);
    const e = await rejects(a.networks.get("zz"), "NET_NOT_FOUND");
    assert.equal(e.kind, "not_found");
  });
});
