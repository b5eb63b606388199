import * as assert from "node:assert/strict";
import { type Outcome, type Slot, classify, decide } from "../../../agent/src/dns/select";

const P: Outcome = { state: "positive" };
const N: Outcome = { state: "negative" };
const F: Outcome = { state: "failed", reason: "timeout" };
const W: Outcome = { state: "pending" };
const slots = (...o: Outcome[]): Slot[] => o.map((outcome) => ({ outcome, awaited: true }));

describe("dns answer selection", () => {
  it("classifies rcodes: answers are positive, NXDOMAIN and NODATA negative, the rest failures", () => {
    assert.deepEqual(classify(0, 2), P);
    assert.deepEqual(classify(0, 0), N);
    assert.deepEqual(classify(3, 0), N);
    assert.equal(classify(2, 0).state, "failed");
    assert.equal(classify(5, 0).state, "failed");
  });

  it("takes the first positive answer without waiting for the others", () => {
    assert.deepEqual(decide(slots(W, P, W)), { done: true, pick: 1 });
    assert.deepEqual(decide(slots(N, W, P)), { done: true, pick: 2 });
  });

  it("waits while an awaited upstream may still give a positive answer", () => {
    assert.deepEqual(decide(slots(N, W)), { done: false });
    assert.deepEqual(decide(slots(F, W)), { done: false });
  });

  it("falls back to the last negative answer in list order", () => {
    assert.deepEqual(decide(slots(N, F, N, F)), { done: true, pick: 2 });
    assert.deepEqual(decide(slots(N, F)), { done: true, pick: 0 });
  });

  it("fails only when every upstream failed", () => {
    assert.deepEqual(decide(slots(F, F)), { done: true, servfail: true });
    assert.deepEqual(decide([]), { done: true, servfail: true });
  });

  it("does not wait for upstreams that are down, but takes their positive answer", () => {
    const down = (outcome: Outcome): Slot => ({ outcome, awaited: false });
    assert.deepEqual(decide([down(W), { outcome: N, awaited: true }]), { done: true, pick: 1 });
    assert.deepEqual(decide([down(P), { outcome: W, awaited: true }]), { done: true, pick: 0 });
    assert.deepEqual(decide([down(W), { outcome: F, awaited: true }]), { done: true, servfail: true });
  });
});
