// UploadBlob's refusals of a stream that is not an upload say what was expected and what came:
// its kind, size and first bytes in hex, never the bytes themselves beyond those.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { receive } from "../../../agent/src/image/upload";
import { QvmdError } from "../../../agent/src/errors";
import { Undecodable, tolerantDecoding } from "../../../agent/src/rpc";
import { loadQvmd } from "@pulumi-qemu/api";
import type * as grpc from "@grpc/grpc-js";

const MAX = 1 << 30;

describe("UploadBlob: a stream that is not an upload", () => {
  let dir = "";
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-upload-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The refusal of `msgs` as an upload stream; nothing kept. */
  async function refusal(msgs: unknown[]): Promise<QvmdError> {
    const stream = Readable.from(msgs) as Parameters<typeof receive>[0];
    const e = await receive(stream, dir, MAX).then(
      () => assert.fail("accepted"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof QvmdError, String(e));
    assert.deepEqual(fs.readdirSync(dir), [], "nothing kept");
    return e;
  }

  // The body as the server decodes it (the real service definition, decoding that never throws).
  const service = tolerantDecoding(
    loadQvmd().qvmd.v1.Qvmd.service as unknown as grpc.ServiceDefinition,
  ) as unknown as Record<string, { requestDeserialize: (b: Buffer) => unknown }>;
  const decode = (b: Buffer) => service.UploadBlob!.requestDeserialize(b);

  it("garbage: names the header it expected, and the size and first bytes (hex) of what came", async () => {
    const garbage = Buffer.concat([Buffer.from("ffffffffffffffffff01", "hex"), Buffer.alloc(4 << 20, 0x41)]);
    const msg = decode(garbage);
    assert.ok(msg instanceof Undecodable, "the body does not decode");
    const e = await refusal([msg]);
    assert.equal(e.code, "UPLOAD_NO_HEADER");
    assert.equal(e.opts.property, "header");
    assert.match(
      e.message,
      /starts with one header message \(UploadChunk\.header: size_bytes, sha256, name\)/,
    );
    assert.match(
      e.message,
      new RegExp(`first message was ${garbage.length} bytes that are not an UploadChunk`),
    );
    assert.match(e.message, /starting ffffffffffffffffff01414141414141…/);
    assert.ok(e.message.length < 400, `no echo of the body: ${e.message.length} chars`);
  });

  it("data before the header: its size and first bytes", async () => {
    const e = await refusal([{ part: "data", data: Buffer.from("0123456789abcdef0123", "utf8") }]);
    assert.equal(e.code, "UPLOAD_NO_HEADER");
    assert.match(
      e.message,
      /first message was a data message of 20 bytes, starting 30313233343536373839616263646566…/,
    );
  });

  it("an empty message, a second header, garbage after the header, no message at all", async () => {
    assert.match((await refusal([decode(Buffer.alloc(0))])).message, /neither header nor data/);
    const header = { part: "header", header: { size_bytes: "4", sha256: "", name: "" } };
    assert.match(
      (await refusal([header, header])).message,
      /only data messages; message 2 was a second header \(size_bytes 4\)/,
    );
    const e = await refusal([header, decode(Buffer.from("0a05", "hex"))]);
    assert.match(e.message, /message 2 was 2 bytes that are not an UploadChunk \(.+\), starting 0a05$/);
    assert.match((await refusal([])).message, /the stream ended with no message/);
  });
});
