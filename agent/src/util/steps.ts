// Running a list of steps (an instance's Apply: instance/plan.ts) through one function that does a
// step: in order, a `together` step's at once, and a rollback for failures inside a range. The
// mechanism only: which steps, in which order, is the plan's; what a step does is the caller's.
import { allSettledOrThrow } from "./settled";

/** A step whose steps need nothing of each other: run at once, all finished before a failure counts. */
export interface Together<S> {
  op: "together";
  steps: S[];
}

export interface Steps<S> {
  steps: S[];
  /** When a step in steps[from, to) fails, these run instead of the rest, then the failure is thrown. */
  rollback?: { from: number; to: number; steps: S[] };
}

/**
 * Runs `plan` through `exec` (one step): the steps in order; a `together` step's at once, all
 * finishing before a failure is reported, so a rollback never races a step still running. When a
 * step in the rollback's range fails, the rollback's steps run (a failure of one is only told to
 * `undoFailed`), then the failure is thrown.
 */
export async function runPlan<S extends { op: string }>(
  plan: Steps<S>,
  exec: (s: S) => Promise<void>,
  undoFailed: (s: S, e: unknown) => void,
): Promise<void> {
  const one = async (s: S): Promise<void> => {
    if (s.op !== "together") return exec(s);
    await allSettledOrThrow((s as unknown as Together<S>).steps.map(one));
  };
  for (const [i, step] of plan.steps.entries()) {
    try {
      await one(step);
    } catch (e) {
      const rb = plan.rollback;
      if (rb && i >= rb.from && i < rb.to)
        for (const undo of rb.steps) await one(undo).catch((x: unknown) => undoFailed(undo, x));
      throw e;
    }
  }
}
