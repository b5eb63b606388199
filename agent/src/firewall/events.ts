// Which lines of `nft monitor ruleset` can have broken a network. Additions elsewhere (Docker adding
// its own rules, our own inserts) are noise; removals in our tables or in the iptables filter FORWARD
// chain, and any (re)definition of that chain (its policy may now be DROP), call for a repair.
import { PREFIX, names } from "../constants";
import { FORWARD } from "./rules";

const REMOVING = new Set(["delete", "destroy", "flush"]);

/** The reason to repair, or undefined when the line cannot have broken anything of ours. */
export function classifyMonitorLine(line: string): string | undefined {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return undefined;
  const [verb = "", object = "", family = "", table = "", chain = ""] = text.split(/\s+/);
  if (verb === "flush" && object === "ruleset") return "flush ruleset";
  const short = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  if (family === names.nftFamily && table.startsWith(`${PREFIX}_`))
    return REMOVING.has(verb) ? short : undefined;
  if (family !== "ip" || table !== "filter") return undefined;
  if (object === "table") return REMOVING.has(verb) ? short : undefined;
  if ((object === "rule" || object === "chain") && chain === FORWARD) {
    if (REMOVING.has(verb)) return short;
    // `add chain` for an existing chain is how a policy change shows; a new chain may come with DROP.
    if (object === "chain" && verb === "add") return short;
  }
  return undefined;
}

/** One reason for a burst of events: the first, and how many came with it. */
export function summarize(reasons: readonly string[]): string {
  if (reasons.length === 0) return "";
  return reasons.length === 1 ? reasons[0]! : `${reasons[0]} (+${reasons.length - 1} more)`;
}
