// The guard against a real kernel: another tool flushes the whole ruleset or the iptables FORWARD
// chain, and the guard's onChange (here: re-apply the network through a real qvmd, then ensure the
// FORWARD rules, as qvmd will do) brings the guest's route to the outside back within a bounded
// deadline. The backstop: with monitoring off, the periodic check alone notices a deleted table.
import * as assert from "node:assert/strict";
import { run } from "../../../agent/src/util/exec";
import { names } from "../../../agent/src/constants";
import {
  type FirewallGuard,
  ensureForwardAccept,
  forwardAcceptDrift,
  removeForwardAccept,
  startFirewallGuard,
} from "../../../agent/src/firewall";
import type { NetworkSpec } from "@pulumi-qemu/api";
import { TestAgent } from "../../helpers/agent";
import { Guest, OutsideHost } from "../../helpers/hosts";
import { useLeakCheck } from "../../helpers/leaks";
import { SavedFirewall, assertNoOtherNetworks, forwardChain, nftTableExists, waitFor } from "./host-firewall";

useLeakCheck();

/** "Restored within 2 s", with slack for a loaded test machine; polled, never measured. */
const DEADLINE_MS = 5000;

describe("firewall guard (real kernel)", function () {
  this.timeout(120000);
  const agent = new TestAgent({ QVMD_FIREWALL_GUARD: "off" });
  const outside = new OutsideHost();
  const guest = new Guest("qvxfg", "52:54:00:fa:00:02");
  const saved = new SavedFirewall();
  let started = false;
  const id = "qxg";
  const cidr = "10.239.0.0/24";
  const spec: NetworkSpec = { id, cidr, nat: true, dhcp: { enabled: true } };
  const table = () => nftTableExists(names.nftFamily, names.nftTable(id));
  const repairs: string[] = [];
  let guard: FirewallGuard | undefined;

  const reassert = async (reason: string) => {
    repairs.push(reason);
    await agent.client!.applyNetwork(spec);
    await ensureForwardAccept(id, cidr);
  };
  const check = async () => [
    ...((await table()) ? [] : [`nft table ${names.nftTable(id)} missing`]),
    ...(await forwardAcceptDrift([{ id, cidr: cidr }])),
  ];
  const reaches = async () => (await outside.seenFrom(guest.name)) === outside.hostSide;

  before(async () => {
    await assertNoOtherNetworks([]);
    started = true;
    await saved.save();
    await agent.start();
    await outside.start();
    const n = await agent.client!.applyNetwork(spec);
    await guest.plug(n.namespace, n.bridge);
    await guest.dhcp();
  });
  afterEach(async () => {
    await guard?.stop();
    guard = undefined;
  });
  after(async () => {
    if (!started) return; // refused to run: nothing here is ours to clean up
    await removeForwardAccept(id);
    await saved.restore();
    await guest.destroy();
    await outside.stop();
    await agent.stop();
  });

  it("restores the network's table after `nft flush ruleset`", async () => {
    guard = startFirewallGuard({ onChange: reassert, check, log: (m) => console.log(`      [guard] ${m}`) });
    await waitFor("the monitor to run", DEADLINE_MS, async () => guard!.status().watching);
    assert.ok(await reaches(), "the guest reaches the outside to begin with");
    repairs.length = 0;
    await assertNoOtherNetworks([id]);
    await run("nft", ["flush", "ruleset"]);
    // Each poll is cheap until the table is back; only then is the guest's route tried end to end.
    await waitFor("the table to come back", DEADLINE_MS, table);
    await waitFor("the guest to reach the outside", DEADLINE_MS, reaches);
    assert.match(repairs[0]!, /qvm_qxg|flush ruleset|^delete /);
    await waitFor(
      "the repair to be recorded",
      DEADLINE_MS,
      async () => guard!.status().lastRepairAt !== undefined,
    );
    const st = guard.status();
    assert.equal(st.watching, true);
    assert.equal(st.lastError, undefined);
  });

  it("adds the FORWARD rules when the policy becomes DROP, and again after `iptables -F FORWARD`", async () => {
    guard = startFirewallGuard({ onChange: reassert, check });
    await waitFor("the monitor to run", DEADLINE_MS, async () => guard!.status().watching);
    repairs.length = 0;
    // What Docker does when it starts: no rule of ours exists yet, the guard sees the policy change.
    await run("iptables-nft", ["-w", "-P", "FORWARD", "DROP"]);
    await waitFor(
      "our rules to be added",
      DEADLINE_MS,
      async () => (await forwardAcceptDrift([{ id, cidr: cidr }])).length === 0,
    );
    assert.ok(await reaches(), "the guest gets through the DROP policy");
    // Our rules may already be there (the first test's repair added them), so "no drift" can hold
    // before the guard has seen the event: wait for the guard's own record of it.
    await waitFor("the guard to notice the policy change", DEADLINE_MS, async () =>
      /chain ip filter FORWARD/.test(repairs.join("\n")),
    );

    await run("iptables-nft", ["-w", "-F", "FORWARD"]);
    await waitFor(
      "our rules to come back",
      DEADLINE_MS,
      async () => (await forwardAcceptDrift([{ id, cidr: cidr }])).length === 0,
    );
    await waitFor("the guest to reach the outside", DEADLINE_MS, reaches);
    const chain = await forwardChain();
    assert.equal(chain.policy, "DROP");
    assert.equal(
      chain.rules.filter((r) => r.owner === id).length,
      2,
      "exactly two, however many repairs ran",
    );
    // Which event or check noticed the flush depends on timing (it may land in the window of a
    // repair still running for the policy change); that the rules and traffic came back is the point.
  });

  it("without monitoring, the periodic check alone restores a deleted table", async () => {
    guard = startFirewallGuard({ onChange: reassert, check, periodMs: 300, monitor: false });
    assert.equal(guard.status().watching, false);
    repairs.length = 0;
    await run("nft", ["delete", "table", names.nftFamily, names.nftTable(id)]);
    await waitFor("the table to come back", DEADLINE_MS, table);
    assert.match(repairs[0] ?? "", /^periodic check: nft table qvm_qxg missing/);
    await waitFor("the guest to reach the outside", DEADLINE_MS, reaches);
  });

  it("our own changes run under suppress() do not make the guard repair", async () => {
    guard = startFirewallGuard({ onChange: reassert, check });
    await waitFor("the monitor to run", DEADLINE_MS, async () => guard!.status().watching);
    // The monitor's first check after starting may repair; wait until it has settled.
    await new Promise((r) => setTimeout(r, 1000));
    repairs.length = 0;
    // Re-applying deletes and re-creates our table: events a naive watcher would "repair" forever.
    await guard.suppress(() => agent.client!.applyNetwork(spec).then(() => undefined));
    await guard.suppress(() => removeForwardAccept(id));
    await guard.suppress(() => ensureForwardAccept(id, cidr));
    // Nothing to poll for when nothing should happen: give a looping guard time to show itself.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(repairs, [], "our own changes caused no repair");
    assert.equal(await table(), true);
    // The same deletion done by another tool is repaired.
    await run("nft", ["delete", "table", names.nftFamily, names.nftTable(id)]);
    await waitFor("the table to come back", DEADLINE_MS, table);
    assert.match(repairs[0] ?? "", /^delete .* inet qvm_qxg /);
  });

  it("restarts `nft monitor` when it dies, says so, and keeps repairing", async () => {
    const logs: string[] = [];
    guard = startFirewallGuard({ onChange: reassert, check, log: (m) => logs.push(m) });
    // Our own child, found by parent pid; nothing else is touched.
    const monitorPid = async () =>
      (await run("pgrep", ["-P", String(process.pid), "-f", "nft monitor ruleset"], { reject: false })).stdout
        .split("\n")
        .filter((x) => x !== "")
        .map(Number);
    await waitFor("the monitor to run", DEADLINE_MS, async () => (await monitorPid()).length === 1);
    const [first] = await monitorPid();
    process.kill(first!, "SIGKILL");
    await waitFor("a new monitor", DEADLINE_MS, async () => {
      const now = await monitorPid();
      return now.length === 1 && now[0] !== first && guard!.status().watching;
    });
    assert.match(logs.join("\n"), /nft monitor exited \(SIGKILL\); restarting in \d+ ms/);
    await new Promise((r) => setTimeout(r, 600)); // past the restarted monitor's own first check
    repairs.length = 0;
    await run("nft", ["delete", "table", names.nftFamily, names.nftTable(id)]);
    await waitFor("the table to come back", DEADLINE_MS, table);
    assert.match(repairs[0] ?? "", /qvm_qxg/);
  });
});
