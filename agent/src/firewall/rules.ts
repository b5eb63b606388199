// Pure side of the iptables FORWARD accept rules: their argv, and reading `iptables -S FORWARD`.
// Kept free of I/O so the parsing of real-world listings (Docker, ufw, foreign rules) is unit-tested.
import { FORWARD_COMMENT_PATTERN, names } from "../constants";

export const FORWARD = "FORWARD";

/**
 * The two rules a network needs, as rule specs (what follows `-A FORWARD`/`-C FORWARD`/`-D FORWARD`):
 * what guests send, from the network's own addresses only (a spoofed source stays dropped by the
 * chain's policy), and the replies to them.
 */
export function forwardAcceptSpecs(id: string, cidr: string): string[][] {
  const h = names.hostVeth(id);
  const tag = ["-m", "comment", "--comment", names.forwardComment(id)];
  // Written in the order `iptables -S` prints them, so a listing compares token for token.
  return [
    ["-s", cidr, "-i", h, ...tag, "-j", "ACCEPT"],
    ["-o", h, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", ...tag, "-j", "ACCEPT"],
  ];
}

/**
 * `-w` waits for the legacy xtables lock instead of failing when another tool holds it. Rules are
 * appended (-A), never inserted first: the admin's policy (DOCKER-USER, ufw's route rules, a REJECT
 * of theirs) is evaluated before our accept and wins.
 */
export const ruleArgv = (op: "-A" | "-C" | "-D", spec: readonly string[]): string[] => [
  "-w",
  op,
  FORWARD,
  ...spec,
];

export const listArgv = (): string[] => ["-w", "-S", FORWARD];

/** `iptables-restore` of several rule changes: one exec and one transaction of the filter table. */
export const restoreArgv = (): string[] => ["-w", "--noflush"];

/** One token as iptables-restore reads it: quoted ("…", with \" and \\) when it needs to be. */
const restoreToken = (t: string): string =>
  /^[A-Za-z0-9_.:,/+=!-]+$/.test(t) ? t : `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The input of `iptables-restore --noflush` that makes these changes to FORWARD, in order, leaving
 * every other rule alone. Either all apply or none (one commit of the filter table).
 */
export function renderRestore(changes: ReadonlyArray<{ op: "-A" | "-D"; spec: readonly string[] }>): string {
  const lines = changes.map((c) => [c.op, FORWARD, ...c.spec].map(restoreToken).join(" "));
  return ["*filter", ...lines, "COMMIT", ""].join("\n");
}

export interface ParsedRule {
  /** Tokens after `-A FORWARD`, unquoted: usable as is for `-D FORWARD …`. */
  spec: string[];
  comment?: string;
  target?: string;
  /** The network id when the comment is ours. */
  owner?: string;
}

export interface ParsedChain {
  policy?: string;
  rules: ParsedRule[];
}

/** Splits one line of `iptables -S` the way iptables quotes it: "…" with \" and \\ escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === "\\" && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      has = true;
    } else if (c === " " || c === "\t") {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

const optionValue = (spec: readonly string[], opt: string): string | undefined => {
  const i = spec.indexOf(opt);
  return i >= 0 ? spec[i + 1] : undefined;
};

/** Parses `iptables -S FORWARD` (or a whole `iptables -S`; other chains are skipped). */
export function parseChain(text: string, chain = FORWARD): ParsedChain {
  const result: ParsedChain = { rules: [] };
  for (const line of text.split("\n")) {
    const t = tokenize(line.trim());
    if (t[1] !== chain) continue;
    if (t[0] === "-P") result.policy = t[2];
    if (t[0] !== "-A") continue;
    const spec = t.slice(2);
    const comment = optionValue(spec, "--comment");
    const owner = comment === undefined ? undefined : FORWARD_COMMENT_PATTERN.exec(comment)?.[1];
    result.rules.push({ spec, comment, target: optionValue(spec, "-j") ?? optionValue(spec, "-g"), owner });
  }
  return result;
}

/**
 * Which of a network's two rules `r` is, judged by meaning rather than token order. A rule of ours
 * that is neither (e.g. an accept without `-s`, from an older qvmd) is stale: see staleRules.
 */
export function ruleKind(r: ParsedRule, id: string, cidr: string): "in" | "out" | undefined {
  if (r.owner !== id || r.target !== "ACCEPT") return undefined;
  const h = names.hostVeth(id);
  if (optionValue(r.spec, "-i") === h && !r.spec.includes("-o") && optionValue(r.spec, "-s") === cidr)
    return "in";
  const state = optionValue(r.spec, "--ctstate") ?? "";
  if (optionValue(r.spec, "-o") === h && state.includes("ESTABLISHED")) return "out";
  return undefined;
}

/** What is missing of a network's rules in a parsed chain, as drift lines. */
export function missingRules(chain: ParsedChain, id: string, cidr: string, backend: string): string[] {
  const kinds = new Set(chain.rules.map((r) => ruleKind(r, id, cidr)));
  const h = names.hostVeth(id);
  const missing: string[] = [];
  if (!kinds.has("in")) missing.push(`${backend} FORWARD: accept rule for traffic from ${h} missing`);
  if (!kinds.has("out")) missing.push(`${backend} FORWARD: accept rule for replies to ${h} missing`);
  return missing;
}

/** Rules of a network that are not one of its two: removed when the network's rules are ensured. */
export const staleRules = (chain: ParsedChain, id: string, cidr: string): ParsedRule[] =>
  chain.rules.filter((r) => r.owner === id && ruleKind(r, id, cidr) === undefined);

/**
 * What makes the chain hold exactly a network's two rules: its stale rules deleted, then each of
 * the two that is missing (judged by meaning, as missingRules) appended.
 */
export function forwardAcceptChanges(
  chain: ParsedChain,
  id: string,
  cidr: string,
): Array<{ op: "-A" | "-D"; spec: readonly string[] }> {
  const kinds = new Set(chain.rules.map((r) => ruleKind(r, id, cidr)));
  const [inSpec, outSpec] = forwardAcceptSpecs(id, cidr);
  return [
    ...staleRules(chain, id, cidr).map((r) => ({ op: "-D" as const, spec: r.spec })),
    ...(kinds.has("in") ? [] : [{ op: "-A" as const, spec: inSpec! }]),
    ...(kinds.has("out") ? [] : [{ op: "-A" as const, spec: outSpec! }]),
  ];
}

/** Why the chain matters, for the `reason` reported to the caller and the log. */
export function describeChain(chain: ParsedChain): string {
  const parts = [`policy ${chain.policy ?? "unknown"}`];
  const jumps = [...new Set(chain.rules.map((r) => r.target ?? ""))].filter(
    (t) => t.startsWith("ufw-") || t.startsWith("DOCKER"),
  );
  if (jumps.length > 0) parts.push(`jumps to ${jumps.join(", ")}`);
  const foreign = chain.rules.filter((r) => r.owner === undefined).length;
  parts.push(`${foreign} foreign rule(s)`);
  return parts.join(", ");
}

/** Ids that own at least one rule in the chain. */
export const owners = (chain: ParsedChain): string[] =>
  [...new Set(chain.rules.flatMap((r) => (r.owner ? [r.owner] : [])))].sort();
