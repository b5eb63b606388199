// qvmd coexisting with other firewalls, against a real iptables-nft FORWARD chain: a DROP policy
// set after the network exists (what Docker does) and `nft flush ruleset` are repaired by qvmd's
// guard on its own; destroy takes our rules only.
import * as assert from "node:assert/strict";
import { run } from "../../../agent/src/util/exec";
import {
  ensureForwardAccept,
  forwardAcceptDrift,
  listForwardAccept,
  removeForwardAccept,
} from "../../../agent/src/firewall";
import { TestAgent } from "../../helpers/agent";
import { Guest, OutsideHost } from "../../helpers/hosts";
import { useLeakCheck } from "../../helpers/leaks";
import {
  SavedFirewall,
  assertNoOtherNetworks,
  forwardChain,
  legacyFilterLoaded,
  nftTableExists,
} from "./host-firewall";

useLeakCheck();

const iptables = (...args: string[]) => run("iptables-nft", ["-w", ...args]);

describe("firewall: FORWARD accept rules (real kernel, iptables-nft)", function () {
  this.timeout(120000);
  const agent = new TestAgent();
  const outside = new OutsideHost();
  const guest = new Guest("qvxfa", "52:54:00:fa:00:01");
  const saved = new SavedFirewall();
  let started = false;
  const id = "qxf";
  const cidr = "10.238.0.0/24";
  let filterExisted = false;

  before(async () => {
    await assertNoOtherNetworks([]);
    started = true;
    filterExisted = (await nftTableExists("ip", "filter")) || (await legacyFilterLoaded());
    await saved.save();
    await agent.start();
    await outside.start();
    const n = await agent.client!.applyNetwork({
      id,
      cidr,
      nat: true,
      dhcp: { enabled: true },
    });
    await guest.plug(n.namespace, n.bridge);
    await guest.dhcp();
  });
  after(async () => {
    if (!started) return; // refused to run: nothing here is ours to clean up
    await removeForwardAccept(id);
    await saved.restore();
    await guest.destroy();
    await outside.stop();
    await agent.stop();
  });

  it("with no iptables FORWARD chain, needs nothing and says why", async function () {
    if (filterExisted) this.skip(); // this host has an iptables filter table of its own (nft or legacy)
    const r = await ensureForwardAccept(id, cidr);
    assert.equal(r.applied, false);
    assert.match(r.reason, /no iptables filter FORWARD chain/);
    assert.equal(await nftTableExists("ip", "filter"), false, "no table was created");
    assert.equal(await outside.seenFrom(guest.name), outside.hostSide);
  });

  it("with FORWARD policy DROP set later (what Docker does), qvmd adds its accept rules and the guest still gets out", async () => {
    await iptables("-P", "FORWARD", "DROP");
    // qvmd's guard sees the chain change (nft monitor) and re-asserts: no call from us.
    assert.ok(
      await until(async () => (await outside.seenFrom(guest.name)) === outside.hostSide),
      "guest reaches the outside",
    );
    const ours = (await forwardChain()).rules.filter((x) => x.owner === id);
    assert.equal(ours.length, 2);
    assert.equal((await forwardChain()).policy, "DROP", "the policy itself is left alone");
    assert.ok(
      ours.some((r) => r.spec.join(" ").startsWith(`-s ${cidr} -i qvm${id}h `)),
      "only the network's own sources are accepted",
    );
  });

  it("appends after the admin's rules, so their REJECT wins, and replaces a rule of ours without -s", async () => {
    // An accept an older qvmd inserted first, with no source restriction.
    await iptables(
      "-I",
      "FORWARD",
      "-i",
      `qvm${id}h`,
      "-m",
      "comment",
      "--comment",
      `qvm:${id}`,
      "-j",
      "ACCEPT",
    );
    await iptables("-A", "FORWARD", "-i", "qvxadmin", "-j", "REJECT");
    try {
      await ensureForwardAccept(id, cidr);
      const rules = (await forwardChain()).rules;
      const ours = rules.flatMap((r, i) => (r.owner === id ? [i] : []));
      assert.equal(ours.length, 2, "the stale rule is gone, the two current ones are there");
      const admin = rules.findIndex((r) => r.spec.join(" ") === "-i qvxadmin -j REJECT");
      assert.ok(
        ours.every((i) => i > admin),
        "ours come after the admin's rule",
      );
      assert.ok(!rules.some((r) => r.owner === id && !r.spec.includes("-s") && r.spec.includes("-i")));
    } finally {
      await iptables("-D", "FORWARD", "-i", "qvxadmin", "-j", "REJECT");
    }
  });

  it("ensuring again changes nothing: exactly two rules of ours", async () => {
    const r = await ensureForwardAccept(id, cidr);
    assert.match(r.reason, /rules present/);
    const ours = (await forwardChain()).rules.filter((x) => x.owner === id);
    assert.equal(ours.length, 2);
    assert.deepEqual(await listForwardAccept(), [id]);
    assert.deepEqual(await forwardAcceptDrift([{ id, cidr }]), []);
  });

  it("after `nft flush ruleset`, traffic resumes within 2 s, driven by kernel events", async () => {
    await run("nft", ["flush", "ruleset"]);
    // A bounded deadline, not a measurement: the promise is "within 2 seconds".
    assert.ok(
      await until(async () => nftTableExists("inet", `qvm_${id}`), 2000),
      "table restored within 2 s",
    );
    assert.ok(
      await until(async () => (await outside.seenFrom(guest.name)) === outside.hostSide, 2000),
      "traffic resumed",
    );
    const n = await agent.client!.getNetwork(id);
    assert.equal(n.firewall_state, "ok");
    assert.notEqual(n.firewall_last_repaired_at, "", "the repair is visible on read");
  });

  it("destroy removes every rule of ours and leaves the others untouched", async () => {
    await iptables("-P", "FORWARD", "DROP");
    assert.ok(
      await until(async () => (await listForwardAccept()).includes(id)),
      "rules back for the DROP policy",
    );
    await iptables("-A", "FORWARD", "-i", "qvxforeign", "-j", "ACCEPT");
    try {
      const spec = (r: { spec: string[] }) => r.spec.join(" ");
      const others = (await forwardChain()).rules.filter((r) => r.owner !== id).map(spec);
      assert.ok(others.includes("-i qvxforeign -j ACCEPT"));
      await guest.destroy();
      await agent.client!.deleteNetwork(id);
      const chain = await forwardChain();
      assert.equal(chain.policy, "DROP");
      assert.deepEqual(chain.rules.map(spec), others, "every other rule stays, in order");
      assert.deepEqual(await listForwardAccept(), []);
      assert.equal(await nftTableExists("inet", `qvm_${id}`), false);
    } finally {
      await iptables("-D", "FORWARD", "-i", "qvxforeign", "-j", "ACCEPT");
    }
  });
});

async function until(probe: () => Promise<boolean>, deadlineMs = 5000): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
