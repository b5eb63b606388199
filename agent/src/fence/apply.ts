// The guest fence on the host: one table per namespace, replaced whole by one `nft -f` (so a
// guest is never unfenced half-way), serialised per namespace because several resources (every
// instance on a network, the network itself) re-render the same table.
import { names } from "../constants";
import { run } from "../util/exec";
import { Mutex } from "../util/lock";
import { nftReplace } from "../util/nft";
import { type FenceNic, deleteFenceScript, renderFence } from "./render";

export { type FenceNic, renderFence, sourceMatches } from "./render";

const locks = new Map<string, Mutex>();
const lockOf = (ns: string | undefined) => {
  const key = ns ?? "";
  let m = locks.get(key);
  if (!m) locks.set(key, (m = new Mutex("fence")));
  return m;
};

/** `nft` in the namespace (undefined: the root one). */
const nft = (ns: string | undefined, args: string[], input?: string) =>
  ns
    ? run("ip", ["netns", "exec", ns, "nft", ...args], { input, reject: input !== undefined })
    : run("nft", args, { input, reject: input !== undefined });

/**
 * Replaces the namespace's fence with one for `nics()`, evaluated under the namespace's lock so
 * that the last writer renders from the latest facts. `absent`: the namespace was made just now, so
 * it has no fence yet, and the table is made without a replace's cost (util/nft.ts).
 */
export function applyFence(
  ns: string | undefined,
  nics: () => FenceNic[] | Promise<FenceNic[]>,
  absent = false,
): Promise<void> {
  return lockOf(ns).run(async () => {
    await nftReplace(ns ? ["ip", "netns", "exec", ns, "nft"] : ["nft"], renderFence(await nics()), absent);
  });
}

export function deleteFence(ns?: string): Promise<void> {
  return lockOf(ns).run(async () => {
    if (await fenceExists(ns)) await nft(ns, ["-f", "-"], deleteFenceScript());
  });
}

export async function fenceExists(ns?: string): Promise<boolean> {
  return (await nft(ns, ["list", "table", "bridge", names.fenceTable])).exitCode === 0;
}
