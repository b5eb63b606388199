// The native trim (agent/native/memtrim): in a node process of its own, so that what it drops is
// that process's pages, never mocha's. What must hold: the executable's startup pages leave the
// process's RSS, and the process keeps running correctly afterwards (code paths used before and
// new ones, the dynamic linker's relocations untouched).
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { assets } from "../../../agent/src/assets";

const SCRIPT = `
const fs = require("node:fs");
const kb = (k) => Number(new RegExp("^" + k + ":\\\\s+(\\\\d+) kB", "m").exec(fs.readFileSync("/proc/self/status", "utf8"))[1]);
const m = { exports: {} };
process.dlopen(m, process.argv[1]);
let refused = "";
try { m.exports.trim("relative/path"); } catch (e) { refused = e.message; }
const before = kb("RssFile");
const released = m.exports.trim(process.execPath);
const after = kb("RssFile");
const none = m.exports.trim("/nonexistent/qvx-not-mapped");
// Work after the trim: the compiler, a regexp, JSON, crypto, zlib (libz inside the executable).
const ok = JSON.parse(JSON.stringify({ a: [1, 2, 3] })).a.length === 3 &&
  /^(\\d+)-x$/.exec("42-x")[1] === "42" &&
  require("node:crypto").createHash("sha256").update("x").digest("hex").length === 64 &&
  require("node:zlib").gunzipSync(require("node:zlib").gzipSync("abc")).toString() === "abc" &&
  new Function("a", "return a * 2")(21) === 42;
process.stdout.write(JSON.stringify({ refused, before, after, released, none, ok }));
`;

describe("memtrim (native)", () => {
  it("drops the executable's startup pages and the process keeps working", () => {
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", SCRIPT, assets.memtrim], { encoding: "utf8" }),
    ) as { refused: string; before: number; after: number; released: number; none: number; ok: boolean };
    assert.match(out.refused, /absolute path/);
    assert.ok(out.released > 0, "no mapping of the executable was released");
    assert.equal(out.none, 0);
    // Node maps some 30 MB of its executable at startup; most of it is startup-only.
    assert.ok(out.after < out.before - 4096, `RssFile ${out.before} kB -> ${out.after} kB`);
    assert.equal(out.ok, true);
  });
});
