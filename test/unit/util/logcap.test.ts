// Logs a guest can grow are cut in place (agent/src/util/logcap.ts, finding 9): the pure plan, and
// the cut on a real file while another descriptor keeps appending to it, as QEMU and dnsmasq do.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { paths } from "../../../agent/src/constants";
import { cappedLogs, trimDescriptor, trimFrom, trimLog, trimmed } from "../../../agent/src/util/logcap";

describe("log cap", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-logcap-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("plans nothing under the cap, and keeps about half of it when over", () => {
    assert.equal(trimFrom(100, 100), undefined);
    assert.equal(trimFrom(1000, 100), 950);
    const out = trimmed(Buffer.from("tial line\nwhole line\nlast"), 950, 100).toString();
    assert.equal(
      out,
      "[qvmd: 960 earlier bytes dropped; this log is kept under 100 bytes]\nwhole line\nlast",
    );
    // One long line with no newline is kept as it is (cut mid-line rather than lost).
    assert.match(trimmed(Buffer.from("xxxx"), 10, 100).toString(), /10 earlier bytes dropped[^\n]*\nxxxx$/);
  });

  it("cuts a file over the cap in place while its writer keeps appending", async () => {
    const file = path.join(dir, "serial.log");
    const writer = fs.openSync(file, "a");
    const line = (i: number) => `line ${String(i).padStart(6, "0")}\n`;
    for (let i = 0; i < 10000; i++) fs.writeSync(writer, line(i));
    assert.equal(await trimLog(file, 64 * 1024), true);
    fs.writeSync(writer, line(10000));
    fs.closeSync(writer);
    const text = fs.readFileSync(file, "utf8");
    const size = fs.statSync(file).size;
    assert.ok(size <= 32 * 1024 + 200, `about half the cap kept: ${size}`);
    assert.match(
      text,
      /^\[qvmd: \d+ earlier bytes dropped; this log is kept under 65536 bytes\]\nline \d{6}\n/,
    );
    assert.ok(
      text.endsWith(line(9999) + line(10000)),
      "the newest lines kept, and the writer's next one after them",
    );
    assert.equal(await trimLog(file, 64 * 1024), false, "under the cap: untouched");
    assert.equal(await trimLog(path.join(dir, "absent.log"), 4096), false);
  });

  it("cuts qvmd's own log through its descriptor when that is a file opened for appending, only then", async () => {
    const file = path.join(dir, "qvmd.log");
    const own = fs.openSync(file, "a"); // as the provider hands qvmd its stderr
    for (let i = 0; i < 2000; i++) fs.writeSync(own, `refused call ${i}\n`);
    assert.equal(await trimDescriptor(own, 1 << 20), false, "under the cap: untouched");
    assert.equal(await trimDescriptor(own, 8192), true);
    fs.writeSync(own, "after the cut\n");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(fs.statSync(file).size <= 4096 + 200, `about half the cap kept: ${fs.statSync(file).size}`);
    assert.match(text, /^\[qvmd: \d+ earlier bytes dropped; this log is kept under 8192 bytes\]\n/);
    assert.ok(text.endsWith("refused call 1999\nafter the cut\n"), text.slice(-80));
    fs.closeSync(own);
    // Written at an offset of its own (no O_APPEND), a cut would leave a hole: left alone.
    const plain = fs.openSync(path.join(dir, "plain.log"), "w");
    fs.writeSync(plain, "x".repeat(20000));
    assert.equal(await trimDescriptor(plain, 8192), false);
    fs.closeSync(plain);
    // A device (a pipe or the journal's socket alike) is not ours to cut.
    const [r, w] = [fs.openSync("/dev/null", "r"), fs.openSync("/dev/null", "a")];
    assert.equal(await trimDescriptor(w, 1), false);
    for (const fd of [r, w]) fs.closeSync(fd);
    assert.equal(await trimDescriptor(987654, 1), false, "no such descriptor");
  });

  it("finds every instance's and template's serial log and every network's dnsmasq log", async () => {
    const p = paths({ stateDir: dir, runDir: dir });
    for (const d of [p.instanceDir("a"), p.instanceDir("b"), p.templateDir("t"), p.networkDir("n")])
      fs.mkdirSync(d, { recursive: true });
    assert.deepEqual(
      (await cappedLogs(p)).sort(),
      [p.instanceSerial("a"), p.instanceSerial("b"), p.templateSerial("t"), p.dnsmasqLog("n")].sort(),
    );
  });
});
