import * as assert from "node:assert/strict";
import { QmpLineDecoder, encodeQmpCommand, parseQmpLine } from "../../../agent/src/qemu/qmp-wire";

describe("QMP framing", () => {
  it("reassembles lines split across chunks, including inside a UTF-8 character", () => {
    const d = new QmpLineDecoder();
    const line = JSON.stringify({ return: { name: "vm-é" }, id: "qvm-1" });
    const bytes = Buffer.from(line + "\r\n", "utf8");
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "é"
    assert.deepEqual(d.push(bytes.subarray(0, 5)), []);
    assert.deepEqual(d.push(bytes.subarray(5, cut)), []);
    assert.deepEqual(d.push(bytes.subarray(cut)), [line]);
    assert.deepEqual(parseQmpLine(line), { kind: "return", id: "qvm-1", value: { name: "vm-é" } });
  });

  it("returns several messages from one chunk, events interleaved with replies", () => {
    const d = new QmpLineDecoder();
    const chunk =
      '{"timestamp": {"seconds": 1700000000, "microseconds": 500000}, "event": "STOP"}\n' +
      '{"return": {}, "id": "qvm-2"}\n\n' +
      '{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 0}, "data": {"x": 1}}\n{"ret';
    const msgs = d.push(chunk).map(parseQmpLine);
    assert.deepEqual(msgs, [
      { kind: "event", event: "STOP", data: {}, timestamp: 1700000000.5 },
      { kind: "return", id: "qvm-2", value: {} },
      { kind: "event", event: "RESUME", data: { x: 1 }, timestamp: 1 },
    ]);
    assert.deepEqual(
      d.push('urn": {"status": "running", "running": true}, "id": "qvm-3"}\n').map(parseQmpLine),
      [{ kind: "return", id: "qvm-3", value: { status: "running", running: true } }],
    );
  });

  it("parses the greeting and error replies", () => {
    const greeting =
      '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian"}, "capabilities": ["oob"]}}';
    assert.deepEqual(parseQmpLine(greeting), {
      kind: "greeting",
      version: { major: 7, minor: 2, micro: 22 },
    });
    assert.deepEqual(
      parseQmpLine(
        '{"id": "qvm-4", "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}',
      ),
      {
        kind: "error",
        id: "qvm-4",
        errorClass: "CommandNotFound",
        desc: "The command nope has not been found",
      },
    );
    // QEMU's reply to input it could not parse carries no id.
    assert.deepEqual(parseQmpLine('{"error": {"class": "GenericError", "desc": "JSON parse error"}}'), {
      kind: "error",
      id: undefined,
      errorClass: "GenericError",
      desc: "JSON parse error",
    });
  });

  it("rejects what is not QMP", () => {
    assert.throws(() => parseQmpLine("[1,2]"));
    assert.throws(() => parseQmpLine('{"hello": 1}'));
    assert.throws(() => parseQmpLine("{not json"));
  });

  it("encodes commands with an id and optional arguments, one per line", () => {
    assert.equal(encodeQmpCommand("stop", undefined, "qvm-1"), '{"execute":"stop","id":"qvm-1"}\n');
    const withArgs = encodeQmpCommand("block_resize", { device: "disk0", size: 1 }, "qvm-2");
    assert.deepEqual(JSON.parse(withArgs), {
      execute: "block_resize",
      id: "qvm-2",
      arguments: { device: "disk0", size: 1 },
    });
    assert.ok(withArgs.endsWith("}\n") && !withArgs.slice(0, -1).includes("\n"));
  });
});
