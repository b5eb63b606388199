// Accept rules for our networks in the host's iptables filter FORWARD chain(s). A DROP there (Docker's
// policy, ufw's default) drops guests' packets even though our own `inet qvm_<id>` table accepts
// them: every base chain on the forward hook must accept. Only our interfaces are opened, and every
// rule carries `qvm:<id>` so that removal and leak checks find exactly ours.
import { hostFailure } from "../errors";
import { run } from "../util/exec";
import { allSettledOrThrow } from "../util/settled";
import { type Backend, type Detection, cachedBackends, detectBackends } from "./backends";
import {
  type ParsedChain,
  describeChain,
  forwardAcceptChanges,
  listArgv,
  missingRules,
  owners,
  parseChain,
  renderRestore,
  restoreArgv,
  ruleArgv,
} from "./rules";

export interface ForwardAcceptResult {
  /** True when at least one FORWARD chain exists and now holds our rules. */
  applied: boolean;
  reason: string;
}

async function listChain(b: Backend): Promise<ParsedChain> {
  return parseChain((await run(b.cmd, listArgv(), { timeoutMs: 10000 })).stdout);
}

/** `-C` exits 1 when the rule is absent; anything else is a real failure and throws. */
async function present(b: Backend, spec: readonly string[]): Promise<boolean> {
  const r = await run(b.cmd, ruleArgv("-C", spec), { reject: false, timeoutMs: 10000 });
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw hostFailure(
    `\`${b.cmd} ${ruleArgv("-C", spec).join(" ")}\` failed (exit ${r.exitCode}): ${r.stderr.trim()}`,
  );
}

type Change = { op: "-A" | "-D"; spec: readonly string[] };

/**
 * The changes in one `iptables-restore --noflush` (one exec, one transaction). It applies all or
 * nothing, so when it fails (the chain changed since it was listed, a -D of a rule just removed by
 * someone else, no restore binary) the changes are made one by one: a -D that finds nothing is
 * fine there, a failed -A is not.
 */
async function change(b: Backend, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  const r = await run(`${b.cmd}-restore`, restoreArgv(), {
    input: renderRestore(changes),
    reject: false,
    timeoutMs: 10000,
  });
  if (r.exitCode === 0) return;
  for (const c of changes)
    if (c.op === "-D") await run(b.cmd, ruleArgv("-D", c.spec), { reject: false, timeoutMs: 10000 });
    else if (!(await present(b, c.spec))) await run(b.cmd, ruleArgv("-A", c.spec), { timeoutMs: 10000 });
}

/** `cached`: which chains exist as last detected (qvmd's own changes); otherwise detected now. */
const backendsFor = (o: { cached?: boolean }): Promise<Detection> =>
  o.cached ? cachedBackends() : detectBackends();

/** Ensures a network's two rules, `cidr` being its own (a.b.c.d/p), and removes stale ones of it. */
/**
 * `f` for each backend at once (iptables-nft and iptables-legacy are separate tables, programs and
 * locks), every one finished before a failure is thrown; the results in the backends' order.
 */
function eachBackend<T>(backends: readonly Backend[], f: (b: Backend) => Promise<T>): Promise<T[]> {
  return allSettledOrThrow(backends.map(f));
}

export async function ensureForwardAccept(
  id: string,
  cidr: string,
  o: { cached?: boolean } = {},
): Promise<ForwardAcceptResult> {
  const { backends, skipped } = await backendsFor(o);
  if (backends.length === 0)
    return { applied: false, reason: `no iptables filter FORWARD chain (${skipped.join("; ")})` };
  const reasons = await eachBackend(backends, async (b) => {
    const before = await listChain(b);
    // What is there is read from the listing (as the guard's check reads it), not asked rule by
    // rule with -C: one exec for the listing and one for the changes.
    const changes = forwardAcceptChanges(before, id, cidr);
    await change(b, changes);
    const added = changes.filter((c) => c.op === "-A").length;
    return `${b.name} FORWARD (${describeChain(before)}): ${added > 0 ? `appended ${added} rule(s)` : "rules present"}`;
  });
  return { applied: true, reason: reasons.join("; ") };
}

export async function removeForwardAccept(id: string, o: { cached?: boolean } = {}): Promise<void> {
  const remove = async (d: Detection) => {
    await eachBackend(d.backends, async (b) => {
      const chain = await listChain(b);
      // By spec, not by number: a rule number goes stale when another tool edits the chain meanwhile.
      await change(
        b,
        chain.rules.filter((x) => x.owner === id).map((r) => ({ op: "-D" as const, spec: r.spec })),
      );
    });
  };
  // A chain detected earlier may be gone since (a flush with the guard off): detect again, once.
  await remove(await backendsFor(o)).catch(async (e: unknown) => {
    if (!o.cached) throw e;
    await remove(await detectBackends());
  });
}

/** Ids that have rules in any FORWARD chain (for leak checks and garbage collection). */
export async function listForwardAccept(): Promise<string[]> {
  const ids = new Set<string>();
  for (const b of (await detectBackends()).backends) for (const id of owners(await listChain(b))) ids.add(id);
  return [...ids].sort();
}

/** What is missing of the rules of `nets`; empty when no FORWARD chain exists (nothing is needed). */
export async function forwardAcceptDrift(
  nets: ReadonlyArray<{ id: string; cidr: string }>,
): Promise<string[]> {
  if (nets.length === 0) return [];
  const per = await eachBackend((await detectBackends()).backends, async (b) => {
    const chain = await listChain(b);
    return nets.flatMap((n) => missingRules(chain, n.id, n.cidr, b.name));
  });
  return per.flat();
}
