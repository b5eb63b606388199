// Pure diff of old and new inputs into Pulumi's detailed diff: which top-level properties changed
// and which of them force a replacement.
import { isDeepStrictEqual } from "node:util";
import type { Props } from "./props";

export type ChangeKind = "add" | "delete" | "update";

export interface DiffResult {
  changed: Record<string, { kind: ChangeKind; replace: boolean }>;
  replaces: string[];
}

export function diffInputs(olds: Props, news: Props, replaceOn: readonly string[]): DiffResult {
  const changed: DiffResult["changed"] = {};
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  for (const k of keys) {
    const a = olds[k];
    const b = news[k];
    if (isDeepStrictEqual(a, b)) continue;
    const kind: ChangeKind = a === undefined ? "add" : b === undefined ? "delete" : "update";
    // An unknown new value (preview) counts as a change: it may turn out different.
    changed[k] = { kind, replace: replaceOn.includes(k) };
  }
  const replaces = Object.entries(changed)
    .filter(([, c]) => c.replace)
    .map(([k]) => k);
  return { changed, replaces };
}
