import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as assert from "node:assert/strict";
import {
  type Expected,
  type ProcInfo,
  matches,
  parseStat,
  parseStatusUids,
  readPidFile,
  readProcSync,
  sameProcess,
} from "../../../agent/src/util/procscan";
import { parsePasswd, sandboxArgv, sandboxFds } from "../../../agent/src/util/sandbox";
import { openableBy } from "../../../agent/src/qemu/accel";

const qemu: ProcInfo = {
  pid: 4242,
  uid: 995,
  euid: 995,
  startTicks: 828222,
  state: "S",
  exe: "/usr/bin/qemu-system-x86_64",
  argv: ["qemu-system-x86_64", "-name", "qvm-web1"],
};
const expected: Expected = {
  uid: 995,
  comm: (c) => c.startsWith("qemu-system"),
  exe: ["qemu-system-x86_64", "qemu-system-aarch64"],
  argv: (a) => a.includes("qvm-web1"),
};

describe("process identity (pure)", () => {
  it("reads state and start time from /proc/<pid>/stat, whatever the command name holds", () => {
    const stat = "4242 (qemu) x) S 1 4242 4242 0 -1 4194304 123 0 0 0 0 0 0 0 20 0 1 0 828222 3133440 380";
    assert.deepEqual(parseStat(stat), { state: "S", startTicks: 828222 });
    assert.equal(parseStat("garbage"), undefined);
    assert.equal(parseStat("1 (x) S 1"), undefined, "too short: no start time");
  });

  it("reads the real and effective uid from /proc/<pid>/status", () => {
    assert.deepEqual(parseStatusUids("Name:\tqemu\nUid:\t995\t0\t995\t995\nGid:\t995\n"), {
      uid: 995,
      euid: 0,
    });
    assert.equal(parseStatusUids("Name:\tx\n"), undefined);
  });

  it("takes a process as ours only with the sandbox uid, the expected binary and command line, alive", () => {
    assert.equal(matches(qemu, expected), true);
    assert.equal(matches({ ...qemu, exe: "/usr/bin/qemu-system-aarch64" }, expected), true);
    // What any local user can start: the name, the argv, even a copy of the binary, but not the uid.
    assert.equal(matches({ ...qemu, uid: 1000, euid: 1000 }, expected), false);
    assert.equal(matches({ ...qemu, euid: 0 }, expected), false, "a setuid process is not ours either");
    assert.equal(
      matches({ ...qemu, exe: "/usr/bin/python3.11" }, expected),
      false,
      "exec -a changes argv only",
    );
    assert.equal(matches({ ...qemu, argv: ["qemu-system-x86_64", "-name", "qvm-other"] }, expected), false);
    assert.equal(matches({ ...qemu, state: "Z" }, expected), false);
  });

  it("tells a recycled pid from the recorded process by its start time", () => {
    assert.equal(sameProcess(qemu, { pid: 4242, startTicks: 828222 }), true);
    assert.equal(sameProcess(qemu, { pid: 4242, startTicks: 828221 }), false);
    assert.equal(sameProcess(qemu, { pid: 4243, startTicks: 828222 }), false);
  });

  it("reads this very process from /proc", () => {
    const me = readProcSync(process.pid);
    assert.ok(me);
    assert.equal(me.uid, process.getuid!());
    assert.ok(me.startTicks > 0);
    assert.equal(me.exe, process.execPath);
    assert.equal(readProcSync(0), undefined);
    assert.equal(readProcSync(2 ** 30), undefined);
  });

  it("reads qvmd's pid records and daemons' plain pid files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-pid-"));
    try {
      const f = path.join(dir, "p");
      fs.writeFileSync(f, '{"pid":4242,"startTicks":828222}\n');
      assert.deepEqual(readPidFile(f), { pid: 4242, startTicks: 828222 });
      fs.writeFileSync(f, "4242\n");
      assert.deepEqual(readPidFile(f), { pid: 4242 });
      for (const bad of ["", "1", "x", '{"pid":4242}', "{oops"]) {
        fs.writeFileSync(f, bad);
        assert.equal(readPidFile(f), undefined, bad);
      }
      assert.equal(readPidFile(path.join(dir, "missing")), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("sandbox launcher (pure)", () => {
  const s = { user: "qvmd-qemu", group: "qvmd-qemu", uid: 995, gid: 995, groups: [995, 108] };

  it("hands the TAPs over from fd 3, then the sockets", () => {
    assert.deepEqual(sandboxFds({ taps: ["qvta0", "qvta1"], listen: ["/run/q.sock"] }), {
      taps: [3, 4],
      listen: [5],
      read: [],
    });
    assert.deepEqual(sandboxFds({ listen: ["/run/q.sock"] }), { taps: [], listen: [3], read: [] });
    assert.deepEqual(sandboxFds({ taps: ["qvta0"], listen: ["/run/q.sock"], read: ["/s/state"] }), {
      taps: [3],
      listen: [4],
      read: [5],
    });
  });

  it("builds the launcher's argv: ids, groups, resources, then the program untouched", () => {
    const argv = sandboxArgv(s, ["qemu-system-x86_64", "-name", "a b; $(x)"], {
      taps: ["qvta0"],
      listen: ["/run/q.sock"],
      daemonSeconds: 30,
    });
    assert.equal(argv[0], "python3");
    assert.match(argv[1]!, /sandbox-exec\.py$/);
    assert.deepEqual(argv.slice(2, argv.indexOf("--")), [
      "--uid",
      "995",
      "--gid",
      "995",
      "--groups",
      "995,108",
      "--tap",
      "qvta0",
      "--listen",
      "/run/q.sock",
      "--daemon",
      "30",
    ]);
    assert.deepEqual(argv.slice(argv.indexOf("--") + 1), ["qemu-system-x86_64", "-name", "a b; $(x)"]);
    assert.throws(() => sandboxArgv({ ...s, uid: 0 }, ["x"]), /must not be root/);
  });

  it("parses getent passwd lines", () => {
    assert.deepEqual(parsePasswd("qvmd-qemu:x:995:995::/nonexistent:/usr/sbin/nologin\n"), {
      user: "qvmd-qemu",
      uid: 995,
      gid: 995,
    });
    assert.equal(parsePasswd("broken"), undefined);
  });

  it("decides whether /dev/kvm opens for the sandbox user from owner, group and mode", () => {
    const kvm = { uid: 0, gid: 108, mode: 0o20660 };
    assert.equal(openableBy(kvm, s), true, "through group kvm");
    assert.equal(openableBy(kvm, { ...s, groups: [995] }), false);
    assert.equal(openableBy({ uid: 0, gid: 0, mode: 0o20600 }, s), false, "root-only, as in some containers");
    assert.equal(openableBy({ uid: 0, gid: 0, mode: 0o20666 }, s), true);
  });
});
