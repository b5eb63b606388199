// Networks whose create or delete is running: their firewall is half-made or half-gone on purpose,
// so the firewall guard's check must not call it missing. It did: a check that ran while a stack
// was being created found the tables of the networks just recorded "missing", and the repair that
// followed re-applied every network's table (one `nft -f` each, under each network's lock), K of
// them per check while K networks were being made.
import { names } from "../constants";

export class InFlight {
  private readonly running = new Map<string, number>();
  private readonly watchers = new Set<Set<string>>();

  /** Runs a create, converge or delete of network `id`. */
  async during<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.running.set(id, (this.running.get(id) ?? 0) + 1);
    for (const w of this.watchers) w.add(id);
    try {
      return await fn();
    } finally {
      const n = (this.running.get(id) ?? 1) - 1;
      if (n === 0) this.running.delete(id);
      else this.running.set(id, n);
    }
  }

  /** Runs `fn` with the networks in flight at any moment while it runs (the set grows meanwhile). */
  async watch<T>(fn: (touched: ReadonlySet<string>) => Promise<T>): Promise<T> {
    const touched = new Set(this.running.keys());
    this.watchers.add(touched);
    try {
      return await fn(touched);
    } finally {
      this.watchers.delete(touched);
    }
  }
}

/**
 * What of our firewall is missing among the networks `checked`: their nft tables absent from
 * `tables`, and the forward-accept `drift` (lines naming a network's host veth). A network `touched`
 * by a create or delete during the check, or no longer recorded, is left out: its state is the
 * change's to settle, and a change that fails leaves it to the next check.
 */
export function firewallMissing(
  checked: readonly string[],
  tables: ReadonlySet<string>,
  drift: readonly string[],
  touched: ReadonlySet<string>,
  recorded: (id: string) => boolean,
): string[] {
  const left = checked.filter((id) => touched.has(id) || !recorded(id));
  const kept = checked.filter((id) => !touched.has(id) && recorded(id));
  const missing = kept
    .filter((id) => !tables.has(names.nftTable(id)))
    .map((id) => `nft table ${names.nftFamily} ${names.nftTable(id)} missing`);
  const veths = left.map((id) => ` ${names.hostVeth(id)} `);
  return [...missing, ...drift.filter((d) => !veths.some((v) => d.includes(v)))];
}
