// qvmd's log of refused calls (agent/src/util/refusals.ts): a caller sending garbage as fast as qvmd
// answers grows the log by a bounded amount per window, and the first refusal of each kind is kept
// in full.
import * as assert from "node:assert/strict";
import { RefusalLimiter, refusalLog } from "../../../agent/src/util/refusals";

const T0 = Date.parse("2026-12-01T07:00:00Z");

describe("refusal log limiter", () => {
  it("logs the first of each kind in full, counts the rest, and sums them up when the window ends", () => {
    const l = new RefusalLimiter(10_000, 20, 4096);
    const out: string[] = [];
    for (let i = 0; i < 1000; i++)
      out.push(
        ...l.refuse("UploadBlob UPLOAD_NO_HEADER", `UploadBlob failed (UPLOAD_NO_HEADER): #${i}`, T0 + i),
      );
    for (let i = 0; i < 300; i++)
      out.push(
        ...l.refuse("CheckNetwork BAD_REQUEST", `CheckNetwork failed (BAD_REQUEST): #${i}`, T0 + 1000 + i),
      );
    assert.deepEqual(out, [
      "UploadBlob failed (UPLOAD_NO_HEADER): #0",
      "CheckNetwork failed (BAD_REQUEST): #0",
    ]);
    assert.deepEqual(l.flush(T0 + 9_999), [], "the window is not over");
    const [summary, ...rest] = l.flush(T0 + 10_000);
    assert.deepEqual(rest, []);
    assert.equal(
      summary,
      "1298 more requests refused in the 10 s from 2026-12-01T07:00:00.000Z, not logged one by one: " +
        "UploadBlob UPLOAD_NO_HEADER x999, CheckNetwork BAD_REQUEST x299 " +
        "(logged in full: the first of each kind, for up to 20 kinds a window)",
    );
    // A new window logs each kind's first again.
    assert.deepEqual(l.refuse("UploadBlob UPLOAD_NO_HEADER", "again", T0 + 20_000), ["again"]);
    assert.deepEqual(l.flush(T0 + 30_000), [], "nothing went unlogged: no summary");
  });

  it("a refusal after the window's end writes the old window's summary first", () => {
    const l = new RefusalLimiter(10_000, 20, 4096);
    l.refuse("a X", "a1", T0);
    l.refuse("a X", "a2", T0 + 1);
    const out = l.refuse("a X", "a3", T0 + 15_000);
    assert.equal(out.length, 2);
    assert.match(out[0]!, /^1 more requests refused .*: a X x1 /);
    assert.equal(out[1], "a3");
  });

  it("bounds what one window writes, whatever the kinds and lengths", () => {
    const l = new RefusalLimiter(10_000, 20, 4096);
    let bytes = 0;
    let lines = 0;
    for (let i = 0; i < 100_000; i++)
      for (const line of l.refuse(`Rpc${i % 500} CODE${i % 7}`, "x".repeat(1 << 20), T0 + (i % 9000))) {
        bytes += line.length;
        lines++;
      }
    for (const line of l.flush(T0 + 10_000)) {
      bytes += line.length;
      lines++;
      assert.match(line, /^99980 more requests refused .* and \d+ other kinds \(/);
    }
    assert.equal(lines, 21, "20 kinds in full and one summary");
    assert.ok(bytes < 21 * 4200, `${bytes} bytes`);
  });

  it("the shell writes a window's summary when it ends, with no refusal after it", async () => {
    const written: string[] = [];
    const refused = refusalLog((m) => written.push(m), new RefusalLimiter(50, 20, 4096));
    refused("k C", "first");
    refused("k C", "second");
    assert.deepEqual(written, ["first"]);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(written.length, 2);
    assert.match(written[1]!, /^1 more requests refused in the 0.05 s from .*: k C x1 /);
  });
});
