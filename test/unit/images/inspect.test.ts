// The image header checks (agent/src/images/inspect.ts) on images qemu-img itself writes: what is
// accepted as qcow2 or raw, and every way an image could make QEMU open another file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HEADER_BYTES, inspectHeader, inspectImage } from "../../../agent/src/image/inspect";
import { run } from "../../../agent/src/util/exec";
import { QvmdError } from "../../../agent/src/errors";

async function expectRefusal(p: Promise<unknown>, code: string, property: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.ok(e instanceof QvmdError, `expected ${code}, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.equal(e.opts.property, property);
}

describe("image header checks", function () {
  this.timeout(30000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-inspect-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (n: string) => path.join(dir, n);
  const head = (n: string) => fs.readFileSync(file(n)).subarray(0, HEADER_BYTES);
  /** qemu-img create with options, the file, then the size (the last argument). */
  const img = (n: string, ...args: string[]) =>
    run("qemu-img", ["create", "-q", ...args.slice(0, -1), file(n), args.at(-1)!]);

  it("accepts a plain qcow2 (v2 and v3) and reads its virtual size with the format named", async () => {
    await img("v3.qcow2", "-f", "qcow2", "8M");
    await img("v2.qcow2", "-f", "qcow2", "-o", "compat=0.10", "8M");
    assert.deepEqual(inspectHeader(head("v3.qcow2")), { format: "qcow2" });
    assert.deepEqual(inspectHeader(head("v2.qcow2")), { format: "qcow2" });
    assert.deepEqual(await inspectImage(file("v3.qcow2"), "source"), {
      format: "qcow2",
      virtualSizeBytes: 8 * 1024 * 1024,
    });
  });

  it("takes anything without an image format's magic as raw, sized by its bytes", async () => {
    fs.writeFileSync(file("raw"), Buffer.alloc(3 * 512, 7));
    assert.deepEqual(await inspectImage(file("raw"), "source"), { format: "raw", virtualSizeBytes: 1536 });
    fs.writeFileSync(file("empty"), "");
    assert.deepEqual(inspectHeader(Buffer.alloc(0)), { format: "raw" });
  });

  it("refuses a backing file, whatever it names (a path, json:, nbd:)", async () => {
    await img("b1.qcow2", "-f", "qcow2", "-F", "raw", "-b", "/etc/hostname", "1M");
    await img(
      "b2.qcow2",
      "-f",
      "qcow2",
      "-u",
      "-F",
      "raw",
      "-b",
      'json:{"file.driver":"file","file.filename":"/etc/shadow"}',
      "1M",
    );
    await img("b3.qcow2", "-f", "qcow2", "-u", "-F", "raw", "-b", "nbd://127.0.0.1:10809/x", "1M");
    for (const n of ["b1.qcow2", "b2.qcow2", "b3.qcow2"]) {
      const v = inspectHeader(head(n));
      assert.ok("refused" in v && v.refused.code === "IMAGE_HAS_BACKING_FILE", `${n}: ${JSON.stringify(v)}`);
      await expectRefusal(inspectImage(file(n), "source"), "IMAGE_HAS_BACKING_FILE", "source");
    }
  });

  it("refuses an external data file (finding 2), before qemu-img ever opens it", async () => {
    await img("d.qcow2", "-f", "qcow2", "-o", `data_file=${file("dummy")},data_file_raw=on`, "64K");
    const v = inspectHeader(head("d.qcow2"));
    assert.ok("refused" in v && v.refused.code === "IMAGE_HAS_DATA_FILE", JSON.stringify(v));
    // Only the name extension, with the feature bit cleared: still refused.
    const b = Buffer.from(head("d.qcow2"));
    b.writeBigUInt64BE(0n, 72);
    const v2 = inspectHeader(b);
    assert.ok("refused" in v2 && v2.refused.code === "IMAGE_HAS_DATA_FILE", JSON.stringify(v2));
    // Only the feature bit: refused too.
    await img("plain.qcow2", "-f", "qcow2", "1M");
    const c = Buffer.from(head("plain.qcow2"));
    c.writeBigUInt64BE(4n, 72);
    const v3 = inspectHeader(c);
    assert.ok("refused" in v3 && v3.refused.code === "IMAGE_HAS_DATA_FILE", JSON.stringify(v3));
    await expectRefusal(inspectImage(file("d.qcow2"), "source"), "IMAGE_HAS_DATA_FILE", "source");
  });

  it("refuses encrypted qcow2, qcow v1, other formats and broken headers", async () => {
    await img("v.vmdk", "-f", "vmdk", "1M");
    await img("v.vhdx", "-f", "vhdx", "1M");
    await img("v.vdi", "-f", "vdi", "1M");
    await img("v.qed", "-f", "qed", "1M");
    await img("v1.qcow", "-f", "qcow", "1M");
    // An encrypted qcow2 (crypt_method 1, AES), as old qemu-img releases wrote them.
    await img("enc.qcow2", "-f", "qcow2", "1M");
    const enc = fs.readFileSync(file("enc.qcow2"));
    enc.writeUInt32BE(1, 32);
    fs.writeFileSync(file("enc.qcow2"), enc);
    for (const n of ["v.vmdk", "v.vhdx", "v.vdi", "v.qed", "v1.qcow", "enc.qcow2"]) {
      const v = inspectHeader(head(n));
      assert.ok(
        "refused" in v && v.refused.code === "IMAGE_UNSUPPORTED_FORMAT",
        `${n}: ${JSON.stringify(v)}`,
      );
    }
    assert.ok("refused" in inspectHeader(head("plain.qcow2").subarray(0, 50)), "truncated header");
    const loop = Buffer.from(head("plain.qcow2"));
    loop.writeUInt32BE(loop.length - 4, 100); // extensions start past the end of what we read
    assert.ok("refused" in inspectHeader(loop), "extensions past the header");
  });
});
