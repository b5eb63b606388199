import * as assert from "node:assert/strict";
import { isAlive, parseCmdline, parseStatState, qemuNameOf } from "../../../agent/src/qemu/procfs";

describe("procfs parsing", () => {
  it("reads the state after the last ')' even when the command name holds spaces and parens", () => {
    assert.equal(parseStatState("4242 (qemu-system-x86) S 1 4242 4242 0 -1"), "S");
    assert.equal(parseStatState("77 (a) b) Z 1 2 3"), "Z");
    assert.equal(parseStatState("garbage"), undefined);
  });

  it("splits /proc/<pid>/cmdline at NULs", () => {
    assert.deepEqual(parseCmdline(Buffer.from("qemu-system-x86_64\0-name\0qvm-a\0")), [
      "qemu-system-x86_64",
      "-name",
      "qvm-a",
    ]);
  });

  it("finds the QEMU -name in its forms, and only in QEMU processes", () => {
    assert.equal(qemuNameOf(["/usr/bin/qemu-system-x86_64", "-m", "1G", "-name", "qvm-a"]), "qvm-a");
    assert.equal(qemuNameOf(["qemu-system-aarch64", "-name", "guest=qvm-b,debug-threads=on"]), "qvm-b");
    assert.equal(qemuNameOf(["qemu-system-aarch64", "-name", "qvm-c,process=x"]), "qvm-c");
    assert.equal(qemuNameOf(["qemu-system-x86_64", "-name", "a,,b"]), "a,b");
    assert.equal(qemuNameOf(["sleep", "-name", "qvm-a"]), undefined);
    assert.equal(qemuNameOf(["qemu-system-x86_64"]), undefined);
  });

  it("sees this process as alive and nonsense pids as not", async () => {
    assert.equal(await isAlive(process.pid), true);
    assert.equal(await isAlive(0), false);
    assert.equal(await isAlive(-1), false);
    assert.equal(await isAlive(2 ** 30), false);
  });
});
