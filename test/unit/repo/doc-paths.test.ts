// Docs that name files stay true: every repository path written in backticks in these documents
// exists. A path is checked as written, or as the end of a tracked path (the docs name files
// relative to the folder they are describing: `network/spec.ts` is agent/src/network/spec.ts, a
// bench README's `dns/README.md` is bench/dns/README.md); `:<line>` after a file is dropped. Not
// checked: host paths (`/run/qvmd`), paths with placeholders (`<id>`, `*`), packages (`@pulumi/…`),
// build output (`dist/`, `.state/`), and bare `.json` names (qvmd's state files).
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const DOCS = ["docs/architecture.md", "bench/README.md"];
const PATHLIKE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*\/?$/;
const FILE = /\.(ts|mts|js|mjs|md|proto|py|sh|go|c|h|yaml|yml)$/;

/** Every tracked (or new, not ignored) file, and every folder holding one, with a trailing slash. */
function repoPaths(): Set<string> {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const paths = new Set<string>();
  for (const f of out.split("\0")) {
    if (f === "" || !fs.existsSync(path.join(ROOT, f))) continue;
    paths.add(f);
    for (let d = path.dirname(f); d !== "."; d = path.dirname(d)) paths.add(`${d}/`);
  }
  return paths;
}

/** The repository paths a markdown text names in backticks, as written (a `:line` suffix dropped). */
export function namedPaths(markdown: string): string[] {
  const named = new Set<string>();
  for (const [, code] of markdown.matchAll(/`([^`\n]+)`/g)) {
    const p = code!.replace(/:\d+(-\d+)?$/, "");
    if (!PATHLIKE.test(p) || p.split("/").some((s) => s === "dist" || s === "node_modules")) continue;
    if (p.includes("/") || FILE.test(p)) named.add(p);
  }
  return [...named];
}

/** Whether `p` is a repository path, or the end of one. */
export function exists(paths: Set<string>, p: string): boolean {
  const forms = p.endsWith("/") ? [p] : [p, `${p}/`];
  for (const f of forms) {
    if (paths.has(f)) return true;
    for (const q of paths) if (q.endsWith(`/${f}`)) return true;
  }
  return false;
}

describe("repository: paths named in the docs exist", () => {
  const paths = repoPaths();
  for (const doc of DOCS)
    it(`every path in ${doc} exists`, () => {
      const named = namedPaths(fs.readFileSync(path.join(ROOT, doc), "utf8"));
      // Finding nothing would pass anything: each of these names dozens of files.
      assert.ok(named.length > 10, `only ${named.length} paths found in ${doc}`);
      const missing = named.filter((p) => !exists(paths, p));
      assert.deepEqual(missing, [], `${doc} names paths that do not exist:\n${missing.join("\n")}`);
    });

  it("reads paths out of backticks, and tells a missing one", () => {
    const md =
      "see `agent/src/main.ts:12`, `network/spec.ts`, `dns/`, `x.ts` and `/run/qvmd`, `<id>.pid`, `dist/`";
    assert.deepEqual(namedPaths(md), ["agent/src/main.ts", "network/spec.ts", "dns/", "x.ts"]);
    assert.ok(
      exists(paths, "agent/src/main.ts") && exists(paths, "network/spec.ts") && exists(paths, "dns/"),
    );
    assert.ok(!exists(paths, "agent/src/instances/manager.ts") && !exists(paths, "x.ts"));
  });
});
