// The in-process qcow2 overlay against qemu-img itself: the same bytes as `qemu-img create` for
// the sizes an Instance can ask for, and an image `qemu-img check` and `info` accept, whose reads
// fall through to its backing file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { MAX_BACKING_NAME, MAX_SIZE, qcow2Overlay } from "../../../agent/src/qemu/qcow2";

const GiB = 1024 ** 3;
const qemuImg = (...argv: string[]) => execFileSync("qemu-img", argv, { encoding: "utf8" });

describe("qcow2 overlay", () => {
  let dir: string;
  let raw: string;
  let qcow: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-qcow2-"));
    raw = path.join(dir, "base.raw");
    qcow = path.join(dir, "base.qcow2");
    fs.writeFileSync(raw, Buffer.alloc(1 << 20, 0x5a));
    qemuImg("create", "-q", "-f", "qcow2", qcow, "64M");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string, string, number]> = [
    ["1 GiB over qcow2", () => qcow, "qcow2", GiB],
    ["3 GiB over qcow2", () => qcow, "qcow2", 3 * GiB],
    ["10 GiB over raw", () => raw, "raw", 10 * GiB],
    ["100 GiB + 512 over qcow2 (a partial L1 entry)", () => qcow, "qcow2", 100 * GiB + 512],
    ["4 TiB over raw (the L1 table fills a cluster)", () => raw, "raw", 4096 * GiB],
    ["16 TiB over qcow2 (the largest: a 4-cluster L1 table)", () => qcow, "qcow2", MAX_SIZE],
  ];
  for (const [title, backing, format, size] of cases)
    it(`is byte for byte qemu-img's: ${title}`, () => {
      const theirs = path.join(dir, "theirs.qcow2");
      qemuImg("create", "-q", "-f", "qcow2", "-F", format, "-b", backing(), theirs, String(size));
      const ours = qcow2Overlay({ path: backing(), format }, size);
      const want = fs.readFileSync(theirs);
      assert.equal(ours.length, want.length, "file length");
      const diff = ours.findIndex((b, i) => b !== want[i]);
      assert.equal(diff, -1, `first differing byte at ${diff}`);
    });

  it("is an image qemu-img checks clean, with its size and backing file, reading the backing's bytes", () => {
    const ours = path.join(dir, "ours.qcow2");
    fs.writeFileSync(ours, qcow2Overlay({ path: raw, format: "raw" }, 2 * GiB));
    qemuImg("check", "-q", ours);
    const info = JSON.parse(qemuImg("info", "--output=json", ours)) as Record<string, unknown>;
    assert.equal(info["virtual-size"], 2 * GiB);
    assert.equal(info["backing-filename"], raw);
    assert.equal(info["backing-filename-format"], "raw");
    const out = path.join(dir, "read.raw");
    qemuImg("dd", "-f", "qcow2", "-O", "raw", `if=${ours}`, `of=${out}`, "bs=65536", "count=32");
    const read = fs.readFileSync(out);
    assert.ok(
      read.subarray(0, 1 << 20).every((b) => b === 0x5a),
      "the backing file's bytes show through",
    );
    assert.ok(
      read.subarray(1 << 20).every((b) => b === 0),
      "past the backing file: zeros",
    );
  });

  it("refuses what it does not lay out or qemu-img would refuse", () => {
    const ok = { path: raw, format: "raw" };
    for (const size of [0, -512, 1000, MAX_SIZE + 512, 1.5 * 512, Number.NaN])
      assert.throws(() => qcow2Overlay(ok, size), RangeError, `size ${size}`);
    for (const format of ["", "RAW", "raw,x", "a".repeat(17), "qcow2\u0000"])
      assert.throws(
        () => qcow2Overlay({ ...ok, format }, GiB),
        RangeError,
        `format ${JSON.stringify(format)}`,
      );
    for (const p of ["", "x".repeat(MAX_BACKING_NAME + 1), "/a\u0000b"])
      assert.throws(
        () => qcow2Overlay({ path: p, format: "raw" }, GiB),
        RangeError,
        `backing of ${p.length}`,
      );
    assert.doesNotThrow(() =>
      qcow2Overlay({ path: "/" + "x".repeat(MAX_BACKING_NAME - 1), format: "raw" }, GiB),
    );
  });
});
