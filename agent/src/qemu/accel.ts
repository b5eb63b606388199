// Chooses KVM only when a probe guest really runs under it with the CPU model launches use:
// /dev/kvm can exist while every KVM guest hangs or aborts (broken nested virtualisation).
import * as fs from "node:fs/promises";
import type { Sandbox } from "../util/sandbox";
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
const decided = new Map<Arch, AccelDecision>();

/** The probe's decision when one has finished, without waiting: what an early start may use. */
export const knownAccel = (arch: Arch): AccelDecision | undefined => decided.get(arch);

/** Pure: whether a file with this owner and mode opens read-write for the sandbox user. */
export function openableBy(st: { uid: number; gid: number; mode: number }, s: Sandbox): boolean {
  if (st.uid === s.uid) return (st.mode & 0o600) === 0o600;
  if (st.gid === s.gid || s.groups.includes(st.gid)) return (st.mode & 0o060) === 0o060;
  return (st.mode & 0o006) === 0o006;
}

export function probeAccel(opts: {
  arch: Arch;
  sandbox: Sandbox;
  timeoutMs?: number;
}): Promise<AccelDecision> {
  let decision = cache.get(opts.arch);
  if (!decision) {
    decision = decide(opts.arch, opts.sandbox, opts.timeoutMs ?? 10000);
    cache.set(opts.arch, decision);
    // A failed probe (e.g. QEMU missing) is not a decision; let the next caller try again.
    decision.then(
      (d) => decided.set(opts.arch, d),
      () => cache.delete(opts.arch),
    );
  }
  return decision;
}

/** For tests and for an operator-triggered re-probe. */
export function clearAccelCache(): void {
  cache.clear();
  decided.clear();
}

async function decide(arch: Arch, sandbox: Sandbox, timeoutMs: number): Promise<AccelDecision> {
  const host = hostArch();
  if (arch !== host) return { accel: "tcg", reason: `${arch} guest on a ${host ?? process.arch} host` };
  if (arch === "aarch64") return { accel: "tcg", reason: "KVM probe for aarch64 hosts not implemented" };
  const st = await fs.stat(KVM_DEVICE).catch(() => undefined);
  if (!st) return { accel: "tcg", reason: `no ${KVM_DEVICE}` };
  // QEMU runs as the sandbox user, so that user (or one of its groups, e.g. kvm) must open it.
  if (!openableBy(st, sandbox))
    return { accel: "tcg", reason: `${KVM_DEVICE} does not open for ${sandbox.user} (add it to group kvm)` };
  const r = await runBootSector({ accel: "kvm", timeoutMs, sandbox });
  if (r.ran) return { accel: "kvm", reason: `KVM probe guest ran (exit ${PROBE_EXIT_CODE})` };
  if (r.timedOut) return { accel: "tcg", reason: `KVM probe guest hung (killed after ${timeoutMs} ms)` };
  const tail = r.stderrTail ? `: "${r.stderrTail}"` : "";
  const how = r.exitCode === -1 ? "died of a signal" : `exit ${r.exitCode}`;
  return { accel: "tcg", reason: `KVM probe guest failed (${how})${tail}` };
}
