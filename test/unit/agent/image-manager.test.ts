// The image store (agent/src/image/manager.ts) over a fake host: blobs named by the digest of what
// was stored, no refetch when only boot settings change, nothing kept on a digest mismatch or a
// refused image, and a blob removed only when no image and no instance uses it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { ImageSpec } from "../../../agent/src/image/spec";
import { FakeAgent, rejects, ROOT } from "../../helpers/fake-agent";
import { sha256 } from "../../helpers/fake-image-host";

const spec = (over: Partial<ImageSpec> & { source: string }): ImageSpec => ({
  id: "i1",
  sha256: "",
  format: "",
  kernel: "",
  initrd: "",
  cmdline: "",
  arch: "",
  firmware: "",
  owner: "",
  ...over,
});

describe("Images (fake host)", () => {
  let a: FakeAgent;
  const disk = Buffer.from("a disk image");
  const kernel = Buffer.from("a kernel");
  let src: string;
  beforeEach(() => {
    a = new FakeAgent();
    src = a.source("disk.img", disk);
  });
  afterEach(() => a.close());
  const blobs = () => fs.readdirSync(a.p.blobsDir).sort();
  const progress = () => undefined;

  it("stores the bytes under their digest and records size and format", async () => {
    const s = await a.images.apply(spec({ source: src, sha256: sha256(disk) }), progress, ROOT);
    assert.equal(s.path, a.p.blob(sha256(disk)));
    assert.deepEqual(blobs(), [sha256(disk)]);
    assert.equal(s.record.format, "raw");
    assert.equal(s.record.sizeBytes, disk.length);
    assert.deepEqual(fs.readdirSync(a.p.downloadsDir), [], "no part file left");
  });

  it("changes boot settings in place without fetching again, and refetches a lost blob", async () => {
    const k = a.source("vmlinuz", kernel);
    await a.images.apply(spec({ source: src, kernel: k }), progress, ROOT);
    await a.images.apply(spec({ source: src, kernel: k, cmdline: "console=ttyS0" }), progress, ROOT);
    assert.deepEqual(a.imageHost.only("fetch"), [`fetch ${src}`, `fetch ${k}`]);
    assert.equal(a.images.get("i1").image.cmdline, "console=ttyS0");
    fs.rmSync(a.p.blob(sha256(kernel)));
    await a.images.apply(spec({ source: src, kernel: k, cmdline: "console=ttyS0" }), progress, ROOT);
    assert.equal(a.imageHost.only("fetch").length, 4, "a missing blob means fetching again");
    assert.deepEqual(blobs(), [sha256(disk), sha256(kernel)].sort());
  });

  it("keeps nothing when the digest does not match, and says which property to fix", async () => {
    const e = await rejects(
      a.images.apply(spec({ source: src, sha256: "0".repeat(64) }), progress, ROOT),
      "IMAGE_SHA256_MISMATCH",
      "sha256",
    );
    assert.match(e.message, new RegExp(sha256(disk)));
    assert.deepEqual(blobs(), []);
    assert.deepEqual(fs.readdirSync(a.p.downloadsDir), []);
    assert.deepEqual(a.state.images, {});
  });

  it("refuses a qcow2 with a backing file and a format that does not match, recording nothing", async () => {
    a.imageHost.info.set(sha256(disk), { refused: "IMAGE_HAS_BACKING_FILE" });
    await rejects(a.images.apply(spec({ source: src }), progress, ROOT), "IMAGE_HAS_BACKING_FILE", "source");
    a.imageHost.info.set(sha256(disk), { format: "qcow2" });
    await rejects(
      a.images.apply(spec({ source: src, format: "raw" }), progress, ROOT),
      "IMAGE_FORMAT_MISMATCH",
      "format",
    );
    assert.deepEqual(a.state.images, {});
  });

  it("shares a blob between images and removes it only when no image and no instance uses it", async () => {
    await a.images.apply(spec({ source: src }), progress, ROOT);
    await a.images.apply(spec({ id: "i2", source: src }), progress, ROOT);
    await a.images.delete("i1");
    assert.deepEqual(blobs(), [sha256(disk)], "i2 still uses it");
    await a.state.update((d) => {
      d.instances.v = {
        spec: {} as never,
        blobs: [sha256(disk)],
        diskGb: 1,
        addresses: {},
        launchKey: "",
        createdAt: "",
      };
    });
    assert.equal(await a.images.delete("i2"), true);
    assert.deepEqual(blobs(), [sha256(disk)], "instance v's disk is backed by it");
    await a.state.update((d) => delete d.instances.v);
    await a.images.gc();
    assert.deepEqual(blobs(), []);
    assert.equal(await a.images.delete("i2"), false);
    await rejects(
      Promise.resolve().then(() => a.images.get("i2")),
      "IMAGE_NOT_FOUND",
    );
  });
  it("keeps every blob when the state cannot be read (every blob would look unused)", async () => {
    await a.images.apply(spec({ source: src }), progress, ROOT);
    const stray = a.p.blob("f".repeat(64));
    fs.writeFileSync(stray, "stored, then the crash came before its record");
    // Both the state and its last good copy damaged: qvmd knows nothing, so it must touch nothing.
    fs.writeFileSync(a.p.stateFile, '{"version": 1, "images": {"i1": ');
    fs.writeFileSync(a.p.stateLastGood, "");
    a.boot();
    assert.ok(a.state.unreadable, "the state is known to be unreadable");
    await a.images.gc();
    assert.deepEqual(blobs(), [sha256(disk), "f".repeat(64)].sort(), "nothing removed");
    await a.images.delete("i1"); // the server refuses it (STATE_CORRUPT); the store holds too
    assert.deepEqual(blobs(), [sha256(disk), "f".repeat(64)].sort(), "nor by a delete");
  });

  it("a slow download holds up only its own image id: other applies, deletes and gc go on (finding 9)", async () => {
    let release!: () => void;
    const slow = a.source("slow.img", Buffer.from("slow bytes"));
    a.imageHost.gates.set(slow, new Promise<void>((r) => (release = r)));
    await a.images.apply(spec({ id: "old", source: src }), progress, ROOT);
    const pending = a.images.apply(spec({ id: "slow", source: slow }), progress, ROOT);
    let settled = false;
    void pending.finally(() => (settled = true));
    // While "slow" downloads: another image is created and one is deleted, and gc runs.
    const other = a.source("other.img", Buffer.from("other bytes"));
    await a.images.apply(spec({ id: "i2", source: other }), progress, ROOT);
    assert.equal(await a.images.delete("old"), true);
    await a.images.gc();
    assert.equal(settled, false, "the slow download is still running");
    assert.equal(a.images.has("i2"), true);
    assert.deepEqual(blobs(), [sha256(Buffer.from("other bytes"))], "gc left the part file alone");
    assert.equal(fs.readdirSync(a.p.downloadsDir).length, 1, "one part file in flight");
    // A delete of the downloading id waits for its apply, so it cannot be undone by it.
    const del = a.images.delete("slow");
    release();
    const s = await pending;
    assert.equal(s.record.sha256, sha256(Buffer.from("slow bytes")));
    assert.equal(await del, true, "the delete ran after the apply recorded the image");
    assert.equal(a.images.has("slow"), false);
    assert.deepEqual(blobs(), [sha256(Buffer.from("other bytes"))]);
    assert.deepEqual(fs.readdirSync(a.p.downloadsDir), [], "no part file left");
  });

  it("a download whose call is cancelled stops, and frees its image id (finding 9)", async () => {
    const slow = a.source("slow.img", Buffer.from("slow bytes"));
    a.imageHost.gates.set(slow, new Promise<void>(() => undefined)); // never finishes by itself
    const c = await a.serve();
    // The client's deadline passes: gRPC cancels the call on the server, which aborts the fetch.
    await assert.rejects(
      c.applyImage(spec({ id: "slow", source: slow }) as never, undefined, 300),
      /DEADLINE|deadline/i,
    );
    a.imageHost.gates.delete(slow);
    const s = await c.applyImage(spec({ id: "slow", source: slow }) as never);
    assert.equal(s.sha256, sha256(Buffer.from("slow bytes")), "the id was free for the next call");
    assert.equal(a.imageHost.only("fetched").length, 0, "the held fetch never completed");
    assert.deepEqual(fs.readdirSync(a.p.downloadsDir), [], "its part file was removed");
  });

  it("forgets an upload refused for its format, and keeps none of its bytes", async () => {
    const c = await a.serve();
    const file = `${a.p.downloadsDir}-user.img`;
    fs.writeFileSync(file, Buffer.from("a qcow2, really"));
    a.imageHost.info.set(sha256(Buffer.from("a qcow2, really")), { format: "qcow2" });
    await assert.rejects(
      c.applyImage(spec({ id: "u", source: `file://${file}`, format: "raw" }) as never),
      /IMAGE_FORMAT_MISMATCH|format/,
    );
    fs.rmSync(file);
    assert.deepEqual(a.state.uploads, {}, "the upload is not held for anyone");
    assert.deepEqual(blobs(), [], "its bytes are gone");
  });
});
