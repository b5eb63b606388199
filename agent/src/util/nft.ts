// Every table of ours is written as one `nft -f` script that replaces it whole: `table <t>`,
// `delete table <t>`, then the table's body, valid whether or not the table exists. The delete has a
// price: a transaction that destroys anything (even the empty table the script itself just declared)
// makes the kernel wait for an RCU grace period before nft's netlink socket closes (nf_tables flushes
// its destroy work on release), 10-15 ms on this host, while the same table made by a script that
// only adds takes 5-7 ms (bench/network/PROFILE.md, "vs libvirt"). A table known to be absent (its
// namespace was made just now, or its network is new) is therefore made by the adding form.
import { run } from "./exec";

/**
 * The adding form of a replacing script: `create table <t>` (which fails, changing nothing, when the
 * table exists after all) and the body, without the delete.
 */
export function createForm(replace: string): string {
  const [first, second, ...body] = replace.split("\n");
  const m = /^table (\S+ \S+)$/.exec(first ?? "");
  if (!m || second !== `delete table ${m[1]}`)
    throw new Error(`not a replacing nft script: ${JSON.stringify(`${first}\n${second}`)}`);
  return [`create table ${m[1]}`, ...body].join("\n");
}

/**
 * `nft -f -` of a replacing script, through `prefix` (["nft"], or ["ip", "netns", "exec", <ns>,
 * "nft"]). `absent`: the table should not exist, so the adding form is tried first; when it fails
 * (a leftover table of the same name, say), the replacing form runs, and its failure is the error.
 */
export async function nftReplace(prefix: readonly string[], replace: string, absent: boolean): Promise<void> {
  const [file, ...args] = prefix;
  if (absent) {
    const r = await run(file!, [...args, "-f", "-"], { input: createForm(replace), reject: false });
    if (r.exitCode === 0) return;
  }
  await run(file!, [...args, "-f", "-"], { input: replace });
}
