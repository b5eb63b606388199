// The guard's decisions with small real timers. Nothing here asserts durations: "did not happen" is
// shown by ordering (a later sentinel event is the next thing the guard acts on).
import * as assert from "node:assert/strict";
import { GuardCore, type GuardCoreOptions } from "../../../agent/src/firewall/guard-core";

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const FOREIGN = "delete table inet qvm_a";
const SENTINEL = "delete rule ip filter FORWARD handle 99";

function harness(over: Partial<GuardCoreOptions> = {}) {
  const calls: string[] = [];
  let checks = 0;
  let missing: string[] = [];
  const core = new GuardCore({
    onChange: async (r) => {
      calls.push(r);
    },
    check: async () => {
      checks++;
      return missing;
    },
    periodMs: 600000,
    debounceMs: 10,
    graceMs: 10,
    ...over,
  });
  core.start();
  return {
    core,
    calls,
    get checks() {
      return checks;
    },
    setMissing(m: string[]) {
      missing = m;
    },
  };
}

describe("firewall: guard decisions", () => {
  const cores: GuardCore[] = [];
  afterEach(() => Promise.all(cores.splice(0).map((c) => c.stop())));
  const make = (over: Partial<GuardCoreOptions> = {}) => {
    const h = harness(over);
    cores.push(h.core);
    return h;
  };

  it("debounces a burst of events into one repair, and ignores lines that cannot matter", async () => {
    const h = make();
    h.core.line("add table inet qvm_a");
    h.core.line('insert rule ip filter FORWARD iifname "x" accept');
    for (let i = 0; i < 5; i++) h.core.line(`delete rule inet qvm_a forwarding handle ${i}`);
    await waitFor("the repair", () => h.calls.length === 1);
    assert.equal(h.calls[0], "delete rule inet qvm_a forwarding handle 0 (+4 more)");
    await waitFor("the repair's window to close", () => !h.core.suppressing);
    h.core.line(SENTINEL);
    await waitFor("the sentinel repair", () => h.calls.length === 2);
    assert.equal(h.calls[1], SENTINEL, "no repair happened in between");
    assert.equal(h.core.status().lastEvent, SENTINEL);
    assert.ok(h.core.status().lastRepairAt);
  });

  it("events of our own changes lead to a check, not a repair, when nothing is missing", async () => {
    const h = make();
    await h.core.suppress(async () => {
      h.core.line(FOREIGN);
      h.core.line("flush ruleset");
    });
    await waitFor("the check", () => h.checks === 1);
    assert.equal(h.core.suppressing, false);
    h.core.line(SENTINEL);
    await waitFor("the sentinel repair", () => h.calls.length === 1);
    assert.deepEqual(h.calls, [SENTINEL]);
  });

  it("a foreign change inside our window is still repaired, found by the check", async () => {
    const h = make();
    h.setMissing(["nft table inet qvm_a missing"]);
    await h.core.suppress(async () => h.core.line(FOREIGN));
    await waitFor("the repair", () => h.calls.length === 1);
    assert.equal(h.calls[0], "check: nft table inet qvm_a missing missing");
  });

  it("a repair does not trigger itself through the events it causes", async () => {
    const h = make({
      onChange: async (r) => {
        h.calls.push(r);
        h.core.line(FOREIGN); // re-applying our table deletes it first
      },
    });
    h.core.line(FOREIGN);
    await waitFor("the repair and its check", () => h.calls.length === 1 && h.checks === 1);
    await waitFor("the repair's window to close", () => !h.core.suppressing);
    h.core.line(SENTINEL);
    await waitFor("the sentinel repair", () => h.calls.length === 2);
    assert.deepEqual(h.calls, [FOREIGN, SENTINEL]);
  });

  it("repairs that do not hold are retried a bounded number of times, then reported", async () => {
    const h = make({
      maxChained: 2,
      onChange: async (r) => {
        h.calls.push(r);
        h.core.line(FOREIGN);
      },
    });
    h.setMissing(["rule x"]);
    h.core.line(FOREIGN);
    await waitFor("the error", () => h.core.status().lastError !== undefined);
    assert.equal(h.calls.length, 3, "one repair for the event, two retries");
    assert.equal(h.core.status().lastError, "repairs did not hold: rule x");
    // A fresh foreign event is acted on again, and a repair that holds clears the error.
    h.setMissing([]);
    await waitFor("the last repair's window to close", () => !h.core.suppressing);
    h.core.line(SENTINEL);
    await waitFor("the sentinel repair", () => h.calls.at(-1) === SENTINEL);
    await waitFor("the error to clear", () => h.core.status().lastError === undefined);
  });

  it("the periodic check repairs what no event announced", async () => {
    const h = make({ periodMs: 20 });
    h.setMissing(["nft table inet qvm_b missing"]);
    await waitFor("the repair", () => h.calls.length === 1);
    h.setMissing([]);
    assert.equal(h.calls[0], "periodic check: nft table inet qvm_b missing missing");
    const after = h.checks;
    await waitFor("another periodic check", () => h.checks > after);
    assert.equal(h.calls.length, 1);
  });

  it("one repair at a time; events during a repair lead to one more", async () => {
    let release!: () => void;
    let active = 0;
    let most = 0;
    const h = make({
      onChange: async (r) => {
        h.calls.push(r);
        active++;
        most = Math.max(most, active);
        if (h.calls.length === 1) await new Promise<void>((res) => (release = res));
        active--;
      },
    });
    h.core.line(FOREIGN);
    await waitFor("the first repair", () => h.calls.length === 1);
    // The repair is suppressed, so events now count as ours; the check after it finds the loss.
    h.core.line("delete table inet qvm_c");
    h.setMissing(["nft table inet qvm_c missing"]);
    release();
    await waitFor("the second repair", () => h.calls.length === 2);
    assert.equal(most, 1);
    assert.equal(h.calls[1], "check: nft table inet qvm_c missing missing");
  });

  it("records a failed repair and clears it on the next success", async () => {
    let fail = true;
    const h = make({
      onChange: async (r) => {
        h.calls.push(r);
        if (fail) throw new Error("nft: no such file");
      },
    });
    h.core.line(FOREIGN);
    await waitFor("the failure", () => h.core.status().lastError === "nft: no such file");
    assert.equal(h.core.status().lastRepairAt, undefined);
    fail = false;
    await waitFor("the repair's window to close", () => !h.core.suppressing);
    h.core.line(SENTINEL);
    await waitFor("the success", () => h.core.status().lastRepairAt !== undefined);
    assert.equal(h.core.status().lastError, undefined);
    h.core.noteRepair(false, "reassert of network b failed");
    assert.equal(h.core.status().lastError, "reassert of network b failed");
  });

  it("does nothing after stop", async () => {
    const h = make();
    h.core.line(FOREIGN);
    await h.core.stop();
    await h.core.suppress(async () => h.core.line(FOREIGN));
    h.core.requestVerify("periodic");
    const other = make();
    other.core.line(SENTINEL);
    await waitFor("another guard to act", () => other.calls.length === 1);
    assert.equal(h.calls.length + h.checks, 0);
  });
});
