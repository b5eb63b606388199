// What a Network's read/refresh shows about its firewall: "ok", or "degraded" with the reason. Pure,
// so the wording and the precedence of reasons are unit-tested.
import type { GuardStatus } from "./guard-core";

export interface FirewallState {
  state: "ok" | "degraded";
  lastError?: string;
  lastRepairedAt?: string;
}

/**
 * `missing`: the firewall part of the network's drift right now (its nft table, forward-accept rules),
 * e.g. from `forwardAcceptDrift([id])`; `guard`: the guard's status, absent when none runs.
 * What is missing now outranks the guard's last error, which may concern another network.
 */
export function firewallState(missing: readonly string[], guard?: GuardStatus): FirewallState {
  const repaired = guard?.lastRepairAt !== undefined ? { lastRepairedAt: guard.lastRepairAt } : {};
  if (missing.length > 0) return { state: "degraded", lastError: `${missing.join("; ")}`, ...repaired };
  if (guard?.lastError !== undefined) return { state: "degraded", lastError: guard.lastError, ...repaired };
  return { state: "ok", ...repaired };
}
