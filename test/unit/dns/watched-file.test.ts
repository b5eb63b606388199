// A resolv.conf or hosts file named by a caller is read without ever blocking or ballooning: FIFOs,
// devices and oversized files are refused at once (finding 8).
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readWatchedFile, WATCHED_FILE_MAX_BYTES } from "../../../agent/src/dns/sources";

describe("reading a watched file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-watched-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads a regular file, through a symlink too (resolv.conf usually is one)", async () => {
    fs.writeFileSync(path.join(dir, "hosts"), "10.0.0.1 a\n");
    fs.symlinkSync(path.join(dir, "hosts"), path.join(dir, "link"));
    assert.equal(await readWatchedFile(path.join(dir, "link")), "10.0.0.1 a\n");
  });

  it("refuses a FIFO at once instead of waiting for a writer", async () => {
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const t = Date.now();
    await assert.rejects(readWatchedFile(fifo), /not a regular file/);
    assert.ok(Date.now() - t < 1000);
  });

  it("refuses devices and files over the limit", async () => {
    await assert.rejects(readWatchedFile("/dev/zero"), /not a regular file/);
    const big = path.join(dir, "big");
    fs.writeFileSync(big, Buffer.alloc(WATCHED_FILE_MAX_BYTES + 1, 0x61));
    await assert.rejects(readWatchedFile(big), /more than the/);
  });
});
