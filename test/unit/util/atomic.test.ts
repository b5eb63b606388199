// Atomic writes (agent/src/util/atomic.ts): several files of one directory written at once (the
// state and its last good copy), each whole, with no temp file left behind, also when one fails.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic, writeFilesAtomic } from "../../../agent/src/util/atomic";

describe("atomic writes", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-atomic-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes every file whole with the mode asked, replacing what was there, and leaves no temp", async () => {
    const [a, b] = [path.join(dir, "a.json"), path.join(dir, "b.json")];
    fs.writeFileSync(a, "old");
    await writeFilesAtomic([a, b], "new\n", 0o600);
    for (const f of [a, b]) {
      assert.equal(fs.readFileSync(f, "utf8"), "new\n");
      assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ["a.json", "b.json"]);
    await writeFileAtomic(a, "one\n");
    assert.equal(fs.readFileSync(a, "utf8"), "one\n");
  });

  it("refuses files of different directories before writing anything", async () => {
    fs.mkdirSync(path.join(dir, "sub"));
    await assert.rejects(
      writeFilesAtomic([path.join(dir, "a"), path.join(dir, "sub", "b")], "x"),
      /not one directory/,
    );
    assert.deepEqual(fs.readdirSync(dir), ["sub"]);
  });

  it("leaves no temp file when a rename fails, and the files before it are whole", async () => {
    const [a, b] = [path.join(dir, "a.json"), path.join(dir, "b.json")];
    fs.mkdirSync(b); // a rename onto a non-empty directory fails
    fs.writeFileSync(path.join(b, "x"), "");
    await assert.rejects(writeFilesAtomic([a, b], "new\n"));
    assert.equal(fs.readFileSync(a, "utf8"), "new\n");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["a.json", "b.json"]);
  });
});
