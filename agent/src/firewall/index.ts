// The firewall module's public surface: FORWARD accept rules, the guard, and the state a read shows.
export {
  type ForwardAcceptResult,
  ensureForwardAccept,
  forwardAcceptDrift,
  listForwardAccept,
  removeForwardAccept,
} from "./forward-accept";
export { forgetBackends } from "./backends";
export { type FirewallGuard, type FirewallGuardOptions, type GuardStatus, startFirewallGuard } from "./guard";
export { type FirewallState, firewallState } from "./state";
