// A DNS forwarder's hostsFile/resolvConf must be something the forwarders' process (nobody) can
// follow; qvmd finds out without opening it (finding 8).
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unreadableByNobody } from "../../../agent/src/dnsForwarder/files";

describe("DNS forwarder files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-dnsfiles-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("accepts world-readable regular files, and missing ones (they may appear)", async () => {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "hosts"), "10.0.0.1 a\n", { mode: 0o644 });
    assert.equal(await unreadableByNobody(path.join(dir, "hosts")), undefined);
    assert.equal(await unreadableByNobody(path.join(dir, "nope")), undefined);
  });

  it("refuses FIFOs, devices, private files and files in private directories", async () => {
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    assert.match((await unreadableByNobody(path.join(dir, "fifo")))!, /not a regular file/);
    assert.match((await unreadableByNobody("/dev/zero"))!, /not a regular file/);
    fs.writeFileSync(path.join(dir, "secret"), "x", { mode: 0o600 });
    assert.match((await unreadableByNobody(path.join(dir, "secret")))!, /not readable by everybody/);
    fs.mkdirSync(path.join(dir, "private"), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, "private", "hosts"), "x", { mode: 0o644 });
    assert.match(
      (await unreadableByNobody(path.join(dir, "private", "hosts")))!,
      /cannot be entered by everybody/,
    );
  });
});
