// How an instance's plan runs (util/steps.ts runPlan), apart from any host: steps in order, a
// `together` step's all finished before its failure counts, the rollback only for a failure inside
// the start.
import * as assert from "node:assert/strict";
import type { ApplyPlan, Step } from "../../../agent/src/instance/plan";
import { runPlan } from "../../../agent/src/util/steps";

const dhcp = (networkId: string): Step => ({ op: "refreshDhcp", networkId });
const tap = (t: string): Step => ({ op: "deleteTap", tap: t });
const label = (s: Step) => (s.op === "refreshDhcp" ? s.networkId : s.op === "deleteTap" ? s.tap : s.op);

/** Runs `plan`, failing the steps named in `fail`; what ran (in order of finishing) and what it threw. */
async function trace(plan: ApplyPlan, fail: string[] = [], slow: string[] = []) {
  const done: string[] = [];
  const undoFailed: string[] = [];
  const exec = async (s: Step) => {
    if (slow.includes(label(s))) await new Promise((r) => setTimeout(r, 20));
    done.push(label(s));
    if (fail.includes(label(s))) throw new Error(`${label(s)} failed`);
  };
  const error = await runPlan(plan, exec, (s) => undoFailed.push(label(s))).then(
    () => undefined,
    (e: Error) => e.message,
  );
  return { done, error, undoFailed };
}

describe("instance plan: runPlan (pure)", () => {
  const plan: ApplyPlan = {
    record: { blobs: [], diskGb: 1, addresses: {}, launchKey: "" },
    steps: [dhcp("a"), { op: "together", steps: [dhcp("b"), dhcp("c")] }, dhcp("d"), dhcp("e")],
    rollback: { from: 1, to: 3, steps: [tap("u1"), tap("u2")] },
  };

  it("runs every step in order, a together step's at once", async () => {
    const r = await trace(plan, [], ["b"]);
    assert.deepEqual(r, { done: ["a", "c", "b", "d", "e"], error: undefined, undoFailed: [] });
  });

  it("finishes a together step before its failure counts, then rolls back and reports it", async () => {
    const r = await trace(plan, ["c"], ["b"]);
    assert.deepEqual(r.done, ["a", "c", "b", "u1", "u2"]);
    assert.equal(r.error, "c failed");
  });

  it("a failing undo is reported and the rest of the rollback still runs", async () => {
    const r = await trace(plan, ["d", "u1"]);
    assert.deepEqual(r, { done: ["a", "b", "c", "d", "u1", "u2"], error: "d failed", undoFailed: ["u1"] });
  });

  it("no rollback for a failure outside the start", async () => {
    assert.deepEqual(await trace(plan, ["a"]), { done: ["a"], error: "a failed", undoFailed: [] });
    const r = await trace(plan, ["e"]);
    assert.deepEqual(r, { done: ["a", "b", "c", "d", "e"], error: "e failed", undoFailed: [] });
  });
});
