// Chooses KVM only when a probe guest really runs under it with the CPU model launches use:
// /dev/kvm can exist while every KVM guest hangs or aborts (broken nested virtualisation).
import * as fs from "node:fs/promises";
import { PROBE_EXIT_CODE, runBootSector } from "./bootsector";
import type { Accel, Arch } from "./types";

export { PROBE_EXIT_CODE, probeBootSector, runBootSector, type BootSectorRun } from "./bootsector";

export interface AccelDecision {
  accel: Accel;
  reason: string;
}

export const KVM_DEVICE = "/dev/kvm";

export function hostArch(): Arch | undefined {
  if (process.arch === "x64") return "x86_64";
  if (process.arch === "arm64") return "aarch64";
  return undefined;
}

// The host does not change under a running agent; one probe per arch is enough.
const cache = new Map<Arch, Promise<AccelDecision>>();

export function probeAccel(opts: { arch: Arch; timeoutMs?: number }): Promise<AccelDecision> {
  let decision = cache.get(opts.arch);
  if (!decision) {
    decision = decide(opts.arch, opts.timeoutMs ?? 10000);
    cache.set(opts.arch, decision);
    // A failed probe (e.g. QEMU missing) is not a decision; let the next caller try again.
    decision.catch(() => cache.delete(opts.arch));
  }
  return decision;
}

/** For tests and for an operator-triggered re-probe. */
export function clearAccelCache(): void {
  cache.clear();
}

async function decide(arch: Arch, timeoutMs: number): Promise<AccelDecision> {
  const host = hostArch();
  if (arch !== host) return { accel: "tcg", reason: `${arch} guest on a ${host ?? process.arch} host` };
  if (arch === "aarch64") return { accel: "tcg", reason: "KVM probe for aarch64 hosts not implemented" };
  try {
    await fs.access(KVM_DEVICE, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return { accel: "tcg", reason: `no usable ${KVM_DEVICE}` };
  }
  const r = await runBootSector({ accel: "kvm", timeoutMs });
  if (r.ran) return { accel: "kvm", reason: `KVM probe guest ran (exit ${PROBE_EXIT_CODE})` };
  if (r.timedOut) return { accel: "tcg", reason: `KVM probe guest hung (killed after ${timeoutMs} ms)` };
  const tail = r.stderrTail ? `: "${r.stderrTail}"` : "";
  const how = r.exitCode === -1 ? "died of a signal" : `exit ${r.exitCode}`;
  return { accel: "tcg", reason: `KVM probe guest failed (${how})${tail}` };
}
