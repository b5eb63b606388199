// A real QEMU (x86_64, TCG, blank qcow2 disk, one TAP in a test namespace) as qvmd starts it: as
// the sandbox user under seccomp, its TAP and QMP socket handed over by the launcher. QMP status
// and events, re-adoption, stopping when the guest ignores ACPI, and processes merely named like
// ours (finding 11) never adopted, refused or signalled.
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { QvmdError } from "../../../agent/src/errors";
import type { QemuLaunch } from "../../../agent/src/qemu/argv";
import { findQemu, isAlive, launchQemu, startLauncher, stopQemu } from "../../../agent/src/qemu/process";
import { QmpClient } from "../../../agent/src/qemu/qmp";
import { run } from "../../../agent/src/util/exec";
import type { Sandbox } from "../../../agent/src/util/sandbox";
import { useLeakCheck } from "../../helpers/leaks";
import { confinement, giveTo, qemuSandbox, sandboxDir } from "../../helpers/sandbox";

useLeakCheck();

const NETNS = "qvx-q1";

/** A shell command that becomes a process whose command line reads like QEMU running VM `name`. */
const pretend = (name: string) =>
  `exec -a qemu-system-x86_64 python3 -c "import time; time.sleep(600)" -name ${name}`;
const TAP = "qvxtap0";

describe("QEMU processes (real QEMU, sandboxed)", function () {
  this.timeout(120000);
  let dir: string;
  let sandbox: Sandbox;
  const clients: QmpClient[] = [];
  const fakes: ChildProcess[] = [];

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
    sandbox,
    ...patch,
  });

  /** A process any local user could start: QEMU's binary name and our -name, as nobody. */
  const fake = (name: string): ChildProcess => {
    const p = spawn(
      "setpriv",
      ["--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "bash", "-c", pretend(name)],
      { stdio: "ignore" },
    );
    fakes.push(p);
    return p;
  };

  before(async () => {
    sandbox = await qemuSandbox();
    dir = sandboxDir("qvx-qemu-", sandbox);
    await run("qemu-img", ["create", "-q", "-f", "qcow2", path.join(dir, "disk.qcow2"), "64M"]);
    giveTo(path.join(dir, "disk.qcow2"), sandbox);
    await run("ip", ["netns", "add", NETNS]);
    await run("ip", ["-n", NETNS, "tuntap", "add", TAP, "mode", "tap"]);
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const f of fakes) f.kill("SIGKILL");
    for (const name of ["qvx-q1-vm", "qvx-q1-held", "qvx-q1-early"]) {
      const l = launch(name);
      const pid = await findQemu(l).catch(() => undefined);
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    }
    await run("ip", ["netns", "del", NETNS], { reject: false });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs as the sandbox user under seccomp, in its namespace, holding its TAP, and reports over QMP", async () => {
    const l = launch("qvx-q1-vm", { nics: [{ tap: TAP, mac: "52:54:00:12:34:56" }] });
    const pid = await launchQemu(l, { netns: NETNS });
    assert.ok(await isAlive(pid));
    const c = confinement(pid);
    assert.equal(c.uid, sandbox.uid, "QEMU runs as the sandbox user");
    assert.equal(c.seccomp, 2, "QEMU's seccomp filter is on");
    assert.equal(c.noNewPrivs, 1);
    assert.equal(c.capEff, "0000000000000000", "no capabilities");
    // qvmd's record (pid and start time) sits in the root-only directory; QEMU never wrote it.
    const rec = JSON.parse(fs.readFileSync(l.pidFile, "utf8")) as { pid: number; startTicks: number };
    assert.equal(rec.pid, pid);
    assert.equal(fs.statSync(l.pidFile).uid, 0);
    assert.equal(fs.statSync(l.qmpSocket).uid, 0, "the launcher bound the QMP socket as root");
    assert.equal(fs.statSync(l.qmpSocket).mode & 0o077, 0, "and nobody else may connect");
    // It runs inside the namespace that holds its TAP, which it holds open.
    assert.equal(fs.statSync(`/proc/${pid}/ns/net`).ino, fs.statSync(`/run/netns/${NETNS}`).ino);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).map((f) => fs.readlinkSync(`/proc/${pid}/fd/${f}`));
    assert.ok(fds.includes("/dev/net/tun"), `TAP fd handed over: ${fds.join(" ")}`);
    // Detached: not our child, so restarting qvmd leaves it running.
    const ppid = Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    assert.notEqual(ppid, process.pid);
    assert.equal(await findQemu(l), pid);
    assert.ok(fs.existsSync(l.serialLog), "serial log created");
    assert.equal(fs.statSync(l.serialLog).uid, sandbox.uid);

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

    // The record lost (a crash between start and record): found again by uid, binary and -name.
    fs.rmSync(l.pidFile);
    assert.equal(await findQemu(l), pid);
    assert.ok(fs.existsSync(l.pidFile), "and recorded again");

    const r = await stopQemu({ ...l, pid }, { graceMs: 1500 });
    assert.equal(r.how, "quit", "no OS answers ACPI powerdown, so quit must end it");
    assert.equal(await isAlive(pid), false);
    assert.equal(await findQemu(l), undefined);
    assert.ok(!fs.existsSync(l.qmpSocket) && !fs.existsSync(l.pidFile));
    assert.deepEqual(await stopQemu({ ...l, pid }, { graceMs: 100 }), { how: "not-running" });
  });

  it("never adopts, refuses for, or signals a process merely named like a VM (finding 11)", async () => {
    const l = launch("qvx-q1-held");
    // One fake as an ordinary user, one as root: neither runs as the sandbox user.
    const asNobody = fake(l.name);
    const asRoot = spawn("bash", ["-c", pretend(l.name)], {
      stdio: "ignore",
    });
    fakes.push(asRoot);
    await new Promise((r) => setTimeout(r, 300));
    const fakePids = [asNobody.pid!, asRoot.pid!];
    for (const p of fakePids) assert.ok(await isAlive(p));
    // A record pointing at a fake (as a compromised file would) is not believed either.
    fs.writeFileSync(l.pidFile, JSON.stringify({ pid: asNobody.pid, startTicks: 1 }));
    assert.equal(await findQemu(l), undefined, "fakes are not the VM");
    assert.deepEqual(await stopQemu({ ...l, pid: asNobody.pid! }, { graceMs: 100 }), { how: "not-running" });
    assert.deepEqual(await stopQemu({ ...l, pid: asRoot.pid! }, { graceMs: 100 }), { how: "not-running" });
    for (const p of fakePids) assert.ok(await isAlive(p), "a fake is never signalled");

    // With the fakes still there, the real VM starts (no QEMU_ALREADY_RUNNING) and is the one found.
    const pid = await launchQemu(l);
    assert.equal(await findQemu(l), pid);
    const holder = await QmpClient.connect(l.qmpSocket, { timeoutMs: 5000 });
    clients.push(holder);
    // Another client holds QMP: a signal stands in for quit, sent to the VM and to nothing else.
    const r = await stopQemu({ ...l, pid }, { graceMs: 500, connectTimeoutMs: 500 });
    assert.equal(r.how, "sigterm");
    assert.equal(await isAlive(pid), false);
    for (const p of fakePids) assert.ok(await isAlive(p), "fakes untouched by the stop");
  });

  it("a launcher started ahead opens nothing until let go: aborted it leaves nothing, let go it runs QEMU", async () => {
    // Its command line names the QMP socket: how a launcher still alive is found.
    const launchers = (qmp: string) =>
      fs.readdirSync("/proc").filter((d) => {
        try {
          return /^\d+$/.test(d) && fs.readFileSync(`/proc/${d}/cmdline`, "utf8").includes(qmp);
        } catch {
          return false;
        }
      });
    const gone = async (qmp: string) => {
      for (let i = 0; i < 50 && launchers(qmp).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      return launchers(qmp).length === 0;
    };
    const disk = path.join(dir, "early.qcow2");
    const tap = "qvxtap1";
    const l = launch("qvx-q1-early", {
      disk: { path: disk, format: "qcow2" },
      nics: [{ tap, mac: "52:54:00:12:34:57" }],
    });
    const aborted = await startLauncher(l, { netns: NETNS });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(launchers(l.qmpSocket).length, 1, "it waits");
    aborted.abort();
    assert.ok(await gone(l.qmpSocket), "aborted, it exits");
    assert.ok(!fs.existsSync(l.qmpSocket), "having bound nothing");
    assert.equal(await findQemu(l), undefined);

    // What QEMU opens is made while its launcher starts; then it is let go.
    const early = await startLauncher(l, { netns: NETNS });
    await run("qemu-img", ["create", "-q", "-f", "qcow2", disk, "64M"]);
    giveTo(disk, sandbox);
    await run("ip", ["-n", NETNS, "tuntap", "add", tap, "mode", "tap"]);
    const pid = await launchQemu(l, { netns: NETNS, early });
    assert.equal(await findQemu(l), pid);
    assert.equal(fs.statSync(`/proc/${pid}/ns/net`).ino, fs.statSync(`/run/netns/${NETNS}`).ino);
    assert.equal(confinement(pid).uid, sandbox.uid);
    assert.equal((await stopQemu({ ...l, pid }, { graceMs: 0 })).how, "quit");
    assert.ok(await gone(l.qmpSocket));
  });

  it("quotes QEMU's own error when it cannot start", async () => {
    const l = launch("qvx-q1-bad", { disk: { path: path.join(dir, "missing.qcow2"), format: "qcow2" } });
    await assert.rejects(launchQemu(l), (e: unknown) => {
      assert.ok(e instanceof QvmdError && e.code === "QEMU_LAUNCH_FAILED");
      assert.match(e.message, /missing\.qcow2/);
      return true;
    });
    assert.equal(await findQemu(l), undefined);
  });

  it("cannot open a root-only file: the sandbox is a real user", async () => {
    const secret = path.join(dir, "secret.qcow2");
    await run("qemu-img", ["create", "-q", "-f", "qcow2", secret, "64M"]);
    fs.chmodSync(secret, 0o600);
    const l = launch("qvx-q1-secret", { disk: { path: secret, format: "qcow2" } });
    await assert.rejects(launchQemu(l), (e: unknown) => {
      assert.ok(e instanceof QvmdError && e.code === "QEMU_LAUNCH_FAILED");
      assert.match(e.message, /Permission denied/);
      return true;
    });
  });
});
