// The image store's fetch (agent/src/image/fetch.ts, through the real ImageHost): file:// sources
// are copied while hashed, with progress; a source that is not a regular file is refused by
// property. No root and no network: a temporary directory is the source.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { QvmdError } from "../../../agent/src/errors";
import { linuxImageHost } from "../../../agent/src/image/host";

describe("image fetch (file://)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-unit-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("copies the bytes, hashing exactly what was written, and reports progress to the end", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    fs.writeFileSync(path.join(dir, "disk image.raw"), bytes);
    const seen: Array<[number, number]> = [];
    const r = await linuxImageHost.fetch(
      new URL(`file://${dir}/disk%20image.raw`),
      path.join(dir, "out.part"),
      (d, t) => seen.push([d, t]),
    );
    assert.equal(r.bytes, bytes.length);
    assert.equal(r.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.deepEqual(fs.readFileSync(path.join(dir, "out.part")), bytes);
    assert.deepEqual(seen.at(-1), [bytes.length, bytes.length]);
  });

  it("refuses a missing file or a directory, naming source", async () => {
    for (const src of [`file://${dir}/missing.img`, `file://${dir}`]) {
      const e = await linuxImageHost
        .fetch(new URL(src), path.join(dir, "out.part"), () => undefined)
        .then(
          () => assert.fail("expected a refusal"),
          (x: unknown) => x,
        );
      assert.ok(e instanceof QvmdError);
      assert.equal(e.code, "IMAGE_SOURCE_MISSING");
      assert.equal(e.opts.property, "source");
    }
  });
});
