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

export function decide(slots: Slot[]): Decision {
  const positive = slots.findIndex((s) => s.outcome.state === "positive");
  if (positive >= 0) return { done: true, pick: positive };
  if (slots.some((s) => s.awaited && s.outcome.state === "pending")) return { done: false };
  for (let i = slots.length - 1; i >= 0; i--)
    if (slots[i]!.outcome.state === "negative") return { done: true, pick: i };
  return { done: true, servfail: true };
}

/** RCODE 0 with answers is positive; NXDOMAIN and NODATA are negative; any other RCODE failed. */
export function classify(rcode: number, answerCount: number): Outcome {
  if (rcode === 0) return answerCount > 0 ? { state: "positive" } : { state: "negative" };
  if (rcode === 3) return { state: "negative" };
  return { state: "failed", reason: `rcode ${rcode}` };
}
