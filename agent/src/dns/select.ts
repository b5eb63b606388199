// Which upstream answer a client gets (pure). Upstreams are asked concurrently; the first positive
// answer wins as soon as it arrives. A negative answer (NXDOMAIN, or NOERROR without answers) only
// wins once every awaited upstream has settled, because a later upstream may still know the name
// (split DNS: a VPN resolver knows private names the public one denies). SERVFAIL is ours to send
// only when nobody gave a usable answer. Among negatives the last one in list order wins.

export type Outcome =
  { state: "pending" } | { state: "positive" } | { state: "negative" } | { state: "failed"; reason: string };

export interface Slot {
  outcome: Outcome;
  /** False for upstreams considered down: asked as a probe, never waited for. */
  awaited: boolean;
}

export type Decision = { done: false } | { done: true; pick: number } | { done: true; servfail: true };

// Shared, never mutated: decided once per query or more, they need not be allocated each time.
export const PENDING: Outcome = Object.freeze({ state: "pending" });
const POSITIVE: Outcome = Object.freeze({ state: "positive" });
const NEGATIVE: Outcome = Object.freeze({ state: "negative" });
const NOT_DONE: Decision = Object.freeze({ done: false });
const SERVFAIL: Decision = Object.freeze({ done: true, servfail: true });

const PICKS: readonly Decision[] = Array.from({ length: 8 }, (_, pick) =>
  Object.freeze({ done: true, pick }),
);
const pick = (i: number): Decision => PICKS[i] ?? { done: true, pick: i };

export function decide(slots: Slot[]): Decision {
  for (let i = 0; i < slots.length; i++) if (slots[i]!.outcome.state === "positive") return pick(i);
  for (let i = 0; i < slots.length; i++)
    if (slots[i]!.awaited && slots[i]!.outcome.state === "pending") return NOT_DONE;
  for (let i = slots.length - 1; i >= 0; i--) if (slots[i]!.outcome.state === "negative") return pick(i);
  return SERVFAIL;
}

/** RCODE 0 with answers is positive; NXDOMAIN and NODATA are negative; any other RCODE failed. */
export function classify(rcode: number, answerCount: number): Outcome {
  if (rcode === 0) return answerCount > 0 ? POSITIVE : NEGATIVE;
  if (rcode === 3) return NEGATIVE;
  return { state: "failed", reason: `rcode ${rcode}` };
}
