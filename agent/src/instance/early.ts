// QEMU's launcher ahead of its launch: its process (`ip netns exec`, the Python interpreter) is the
// longest part of the way to QEMU's start that qvmd does not have to do itself, so it starts as soon
// as the plan is known, while the record is written, then beside the preparation (plan.ts
// startLauncher). It opens and touches nothing until launchQemu lets it go, so starting it before
// the record is safe: a launcher never let go exits having done nothing, also when qvmd dies.
import type { InstanceHost } from "./host";
import type { ApplyPlan, ApplyRun, Step } from "./plan";

const flat = (steps: Step[]): Step[] => steps.flatMap((s) => (s.op === "together" ? flat(s.steps) : [s]));

/**
 * The plan's launcher, spawned now; only with the accelerator already decided (the first start of
 * an architecture waits for its probe, in the startLauncher step).
 */
export function spawnEarly(plan: ApplyPlan, host: InstanceHost): ApplyRun["spawned"] {
  const s = flat(plan.steps).find((x) => x.op === "startLauncher");
  const spawned = s?.op === "startLauncher" ? host.spawnLauncher(s.launch, s.accel, s.netns) : undefined;
  spawned?.launcher.catch(() => undefined); // its failure is the startLauncher step's to report
  return spawned;
}

/** The startLauncher step, with the accelerator decided: the one spawned early if it has it. */
export async function startEarly(
  host: InstanceHost,
  s: Extract<Step, { op: "startLauncher" }>,
  run: ApplyRun,
): Promise<void> {
  const spawned = run.spawned?.accel === run.accel ? run.spawned.launcher : undefined;
  run.early = await host.startLauncher({ ...s.launch, accel: run.accel }, { netns: s.netns, spawned });
}

/** Every launcher of this Apply not let go exits, having done nothing. */
export function abortLaunchers(run: ApplyRun): void {
  run.early?.abort();
  run.spawned?.launcher.then(
    (l) => l.abort(),
    () => undefined,
  );
}
