// aarch64 under TCG with AAVMF (per-instance vars copy) and no disk: QMP says running and the
// firmware writes to the serial log.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { prepareUefiVars, uefiFirmware, type QemuLaunch } from "../../../agent/src/qemu/argv";
import { findQemu, isAlive, launchQemu, stopQemu } from "../../../agent/src/qemu/process";
import { QmpClient } from "../../../agent/src/qemu/qmp";
import type { Sandbox } from "../../../agent/src/util/sandbox";
import { useLeakCheck } from "../../helpers/leaks";
import { giveTo, qemuSandbox, sandboxDir } from "../../helpers/sandbox";

useLeakCheck();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("aarch64 UEFI guest (real QEMU, TCG)", function () {
  this.timeout(300000);
  let dir: string;
  let q: QmpClient | undefined;
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await qemuSandbox();
    dir = sandboxDir("qvx-arm-", sandbox);
  });
  after(async () => {
    q?.close();
    const pid = await findQemu({ name: "qvx-a1", sandbox, pidFile: path.join(dir, "qemu.pid") });
    if (pid !== undefined) process.kill(pid, "SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("boots AAVMF from a private vars copy and prints on the serial port", async () => {
    const vars = path.join(dir, "vars.fd");
    assert.equal(await prepareUefiVars("aarch64", vars), true);
    assert.equal(await prepareUefiVars("aarch64", vars), false, "an existing vars file is kept");
    const fw = uefiFirmware("aarch64");
    assert.equal(fs.statSync(vars).size, fs.statSync(fw.varsTemplate).size);
    giveTo(vars, sandbox);

    const l: QemuLaunch = {
      name: "qvx-a1",
      arch: "aarch64",
      accel: "tcg",
      cpus: 1,
      memoryMb: 256,
      pidFile: path.join(dir, "qemu.pid"),
      qmpSocket: path.join(dir, "qmp.sock"),
      serialLog: path.join(dir, "serial.log"),
      firmware: "uefi",
      uefi: { code: fw.code, vars },
      nics: [],
      sandbox,
    };
    const pid = await launchQemu(l);
    q = await QmpClient.connect(l.qmpSocket, { timeoutMs: 5000 });
    assert.deepEqual(await q.queryStatus(), { running: true, status: "running" });
    q.close();

    let size = 0;
    for (let i = 0; i < 1200 && size === 0; i++) {
      size = fs.statSync(l.serialLog).size;
      if (size === 0) await sleep(200);
    }
    assert.ok(size > 0, "UEFI wrote nothing to the serial log");
    console.log(`      serial: ${JSON.stringify(fs.readFileSync(l.serialLog, "latin1").slice(0, 80))}`);

    const r = await stopQemu({ ...l, pid }, { graceMs: 1000 });
    assert.ok(["powerdown", "quit"].includes(r.how), r.how);
    assert.equal(await isAlive(pid), false);
  });
});
