// Cross-resource consistency (finding 14): an instance is checked against its image, networks and
// bridges and recorded in one step that a deletion of any of them cannot interleave with. A
// deletion checks "in use" and marks the object as going in the same step; an instance applied
// meanwhile sees it as absent. Calls on one id are already serialised by each manager.
import { Mutex } from "../util/lock";

export type Referenced = "network" | "image" | "bridge";

export class Topology {
  private readonly mutex = new Mutex("topology");
  private readonly going = new Set<string>();

  /** Runs `fn` (a check and the record that follows it) with no deletion in between. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  isGoing(kind: Referenced, id: string): boolean {
    return this.going.has(`${kind}:${id}`);
  }

  /**
   * Deletes `kind` `id` with `del` once `assertUnused` passes (it throws when something uses it),
   * the object marked as going from that check until `del` has finished.
   */
  async delete<T>(kind: Referenced, id: string, assertUnused: () => void, del: () => Promise<T>): Promise<T> {
    const key = `${kind}:${id}`;
    await this.mutex.run(async () => {
      assertUnused();
      this.going.add(key);
    });
    try {
      return await del();
    } finally {
      this.going.delete(key);
    }
  }
}
