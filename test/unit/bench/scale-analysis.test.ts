// The scale bench's reading of a trace (bench/scale/analysis.ts): lock waits by lock name, nested
// locks adding up, and the firewall guard's background work found by time window.
import * as assert from "node:assert/strict";
import { childrenOf, guardWork, lockWaits, qvmdSide } from "../../../bench/scale/analysis";
import type { Span } from "../../../bench/profile/tracer";

let id = 0;
const span = (parent: number, name: string, start: number, end: number): Span => ({
  id: ++id,
  parent,
  name,
  start,
  end,
});

describe("scale bench analysis", () => {
  it("splits a call's time into the wait for each named lock and the rest", () => {
    // apply 0..100: lock network (no wait) held 0..100; inside, lock networks.shared waited 10..40,
    // held 40..50, and inside that lock state.writes waited 40..45, held 45..50.
    const apply = span(0, "Networks.apply", 0, 100);
    const net = span(apply.id, "lock network", 0, 100);
    const netHeld = span(net.id, "held network", 0, 100);
    const shared = span(netHeld.id, "lock networks.shared", 10, 50);
    const sharedHeld = span(shared.id, "held networks.shared", 40, 50);
    const writes = span(sharedHeld.id, "lock state.writes", 40, 50);
    const writesHeld = span(writes.id, "held state.writes", 45, 50);
    // A lock given up before its hold began (the call failed): waited until it ended.
    const other = span(netHeld.id, "lock fence", 60, 70);
    const spans = [apply, net, netHeld, shared, sharedHeld, writes, writesHeld, other];
    const kids = childrenOf(spans);
    const w = lockWaits(kids, apply);
    assert.deepEqual(Object.fromEntries(w), {
      network: { wait: 0, held: 100, n: 1 },
      "networks.shared": { wait: 30, held: 10, n: 1 },
      "state.writes": { wait: 5, held: 5, n: 1 },
      fence: { wait: 10, held: 0, n: 1 },
    });
    assert.deepEqual(qvmdSide(kids, [apply]), { wait: 45, work: 55 });
  });

  it("counts the guard's checks, repairs and re-applied firewalls overlapping a window", () => {
    const drain = span(0, "GuardCore.drain", 200, 400);
    const verify = span(drain.id, "GuardCore.verify", 200, 210);
    const exec1 = span(verify.id, "exec nft list chains inet", 201, 209);
    const repair = span(drain.id, "GuardCore.repair", 210, 400);
    const re = span(repair.id, "Networks.reassertFirewall", 210, 400);
    const fw1 = span(re.id, "Networks.applyFirewall", 210, 300);
    const fw2 = span(re.id, "Networks.applyFirewall", 300, 400);
    const later = span(0, "GuardCore.drain", 1000, 1010);
    const laterVerify = span(later.id, "GuardCore.verify", 1000, 1010);
    const spans = [drain, verify, exec1, repair, re, fw1, fw2, later, laterVerify];
    const kids = childrenOf(spans);
    assert.deepEqual(guardWork(spans, kids, 0, 250), {
      checks: 1,
      repairs: 1,
      reapplied: 2,
      repairMs: 190,
      execs: 1,
    });
    assert.equal(guardWork(spans, kids, 500, 900).checks, 0, "nothing outside the window");
    assert.equal(guardWork(spans, kids, 0, 2000).checks, 2);
  });
});
