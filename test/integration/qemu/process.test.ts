// A real daemonized QEMU (x86_64, TCG, blank qcow2 disk, one TAP in a test namespace): QMP status
// and events, re-adoption by -name, and stopping when the guest ignores ACPI (no OS: SeaBIOS only).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { QvmdError } from "../../../agent/src/errors";
import type { QemuLaunch } from "../../../agent/src/qemu/argv";
import { findQemu, isAlive, launchQemu, stopQemu } from "../../../agent/src/qemu/process";
import { QmpClient } from "../../../agent/src/qemu/qmp";
import { run } from "../../../agent/src/util/exec";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const NETNS = "qvx-q1";
const TAP = "qvxtap0";

describe("QEMU processes (real QEMU)", function () {
  this.timeout(120000);
  let dir: string;
  const clients: QmpClient[] = [];

  const launch = (name: string, patch: Partial<QemuLaunch> = {}): QemuLaunch => ({
    name,
    arch: "x86_64",
    accel: "tcg",
    cpus: 1,
    memoryMb: 128,
    pidFile: path.join(dir, `${name}.pid`),
    qmpSocket: path.join(dir, `${name}.qmp`),
    serialLog: path.join(dir, `${name}.log`),
    disk: { path: path.join(dir, "disk.qcow2"), format: "qcow2" },
    firmware: "bios",
    nics: [],
    ...patch,
  });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-qemu-"));
    await run("qemu-img", ["create", "-q", "-f", "qcow2", path.join(dir, "disk.qcow2"), "64M"]);
    await run("ip", ["netns", "add", NETNS]);
    await run("ip", ["-n", NETNS, "tuntap", "add", TAP, "mode", "tap"]);
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const name of ["qvx-q1-vm", "qvx-q1-held"]) {
      const pid = await findQemu(name);
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    }
    await run("ip", ["netns", "del", NETNS], { reject: false });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("launches in a namespace, reports status and events, is found by name, and quits when powerdown is ignored", async () => {
    const l = launch("qvx-q1-vm", { nics: [{ tap: TAP, mac: "52:54:00:12:34:56" }] });
    const pid = await launchQemu(l, { netns: NETNS });
    assert.ok(await isAlive(pid));
    assert.equal(Number(fs.readFileSync(l.pidFile, "utf8").trim()), pid);
    // It runs inside the namespace that holds its TAP.
    assert.equal(fs.statSync(`/proc/${pid}/ns/net`).ino, fs.statSync(`/run/netns/${NETNS}`).ino);
    assert.equal(await findQemu(l.name), pid);
    assert.ok(fs.existsSync(l.serialLog), "serial log created");

    await assert.rejects(
      launchQemu(l, { netns: NETNS }),
      (e: unknown) => e instanceof QvmdError && e.code === "QEMU_ALREADY_RUNNING",
    );

    const q = await QmpClient.connect(l.qmpSocket, { timeoutMs: 5000 });
    clients.push(q);
    assert.deepEqual(await q.queryStatus(), { running: true, status: "running" });
    const events: string[] = [];
    q.on("event", (e) => events.push(e.event));
    const stopped = q.waitEvent("STOP", 10000);
    await q.execute("stop");
    await stopped;
    assert.deepEqual(await q.queryStatus(), { running: false, status: "paused" });
    const resumed = q.waitEvent("RESUME", 10000);
    await q.execute("cont");
    await resumed;
    assert.equal((await q.queryStatus()).running, true);
    assert.deepEqual(events, ["STOP", "RESUME"]);
    // QEMU serves one QMP client at a time; stopQemu opens its own.
    q.close();

    const r = await stopQemu(
      { qmpSocket: l.qmpSocket, pid, name: l.name, pidFile: l.pidFile },
      { graceMs: 1500 },
    );
    assert.equal(r.how, "quit", "no OS answers ACPI powerdown, so quit must end it");
    assert.equal(await isAlive(pid), false);
    assert.equal(await findQemu(l.name), undefined);
    assert.ok(!fs.existsSync(l.qmpSocket) && !fs.existsSync(l.pidFile));
    assert.deepEqual(await stopQemu({ qmpSocket: l.qmpSocket, pid }, { graceMs: 100 }), {
      how: "not-running",
    });
  });

  it("falls back to a signal when another client holds the QMP socket", async () => {
    const l = launch("qvx-q1-held");
    const pid = await launchQemu(l);
    const holder = await QmpClient.connect(l.qmpSocket, { timeoutMs: 5000 });
    clients.push(holder);
    const r = await stopQemu(
      { qmpSocket: l.qmpSocket, pid, name: l.name },
      { graceMs: 500, connectTimeoutMs: 500 },
    );
    assert.equal(r.how, "sigterm");
    assert.equal(await isAlive(pid), false);
  });

  it("quotes QEMU's own error when it cannot start", async () => {
    const l = launch("qvx-q1-bad", { disk: { path: path.join(dir, "missing.qcow2"), format: "qcow2" } });
    await assert.rejects(launchQemu(l), (e: unknown) => {
      assert.ok(e instanceof QvmdError && e.code === "QEMU_LAUNCH_FAILED");
      assert.match(e.message, /missing\.qcow2/);
      return true;
    });
    assert.equal(await findQemu(l.name), undefined);
  });
});
