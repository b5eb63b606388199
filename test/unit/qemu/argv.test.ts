import * as assert from "node:assert/strict";
import {
  buildQemuArgv,
  cpuModel,
  qemuBinary,
  uefiFirmware,
  type QemuLaunch,
} from "../../../agent/src/qemu/argv";
import { SECCOMP } from "../../../agent/src/qemu/argv";
import { launchCommand } from "../../../agent/src/qemu/process";
import { QvmdError } from "../../../agent/src/errors";

const base: QemuLaunch = {
  name: "qvm-web1",
  arch: "x86_64",
  accel: "tcg",
  cpus: 2,
  memoryMb: 1024,
  pidFile: "/run/qvmd/qvm-web1.pid",
  qmpSocket: "/run/qvmd/qvm-web1.qmp",
  serialLog: "/var/lib/qvmd/instances/web1/serial.log",
  firmware: "bios",
  nics: [],
  sandbox: { user: "qvmd-qemu", group: "qvmd-qemu", uid: 995, gid: 995, groups: [995] },
};

/** Values of every occurrence of `flag`. */
const values = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
const one = (argv: string[], flag: string) => {
  const v = values(argv, flag);
  assert.equal(v.length, 1, `${flag} once in ${argv.join(" ")}`);
  return v[0]!;
};

describe("qemu argv", () => {
  it("x86_64 BIOS with a direct kernel: sandboxed, QMP and TAP by fd, serial file, no defaults", () => {
    const argv = buildQemuArgv({
      ...base,
      disk: { path: "/var/lib/qvmd/instances/web1/disk.qcow2", format: "qcow2" },
      seed: "/var/lib/qvmd/instances/web1/seed.iso",
      kernel: "/images/vmlinuz",
      initrd: "/images/initrd.img",
      cmdline: "console=ttyS0 root=/dev/vda1 quiet; rm -rf / $(x) `y`",
      nics: [{ tap: "qvtweb10", mac: "52:54:00:AA:00:01" }],
    });
    assert.equal(qemuBinary("x86_64"), "qemu-system-x86_64");
    assert.equal(one(argv, "-name"), "qvm-web1");
    assert.equal(one(argv, "-machine"), "q35");
    assert.equal(one(argv, "-accel"), "tcg");
    assert.equal(one(argv, "-cpu"), "max");
    assert.equal(one(argv, "-smp"), "2");
    assert.equal(one(argv, "-m"), "1024M");
    for (const f of ["-no-user-config", "-nodefaults"]) assert.ok(argv.includes(f), f);
    // QEMU's own -daemonize needs a fork its seccomp filter (spawn=deny) forbids: the launcher detaches it.
    for (const f of ["-daemonize", "-pidfile", "-runas"]) assert.ok(!argv.includes(f), f);
    assert.equal(
      one(argv, "-sandbox"),
      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
    );
    assert.equal(SECCOMP, one(argv, "-sandbox"));
    assert.equal(one(argv, "-display"), "none");
    // The TAP is fd 3, the QMP socket (bound by the launcher in the root-only run directory) fd 4.
    assert.deepEqual(values(argv, "-chardev"), [
      "socket,id=qmp,fd=4,server=on,wait=off",
      "file,id=serial0,path=/var/lib/qvmd/instances/web1/serial.log,append=on",
    ]);
    assert.equal(one(argv, "-mon"), "chardev=qmp,mode=control");
    assert.equal(one(argv, "-serial"), "chardev:serial0");
    assert.deepEqual(values(argv, "-drive"), [
      "file=/var/lib/qvmd/instances/web1/disk.qcow2,format=qcow2,if=none,id=disk0,discard=unmap",
      "file=/var/lib/qvmd/instances/web1/seed.iso,format=raw,if=none,id=seed0,readonly=on",
    ]);
    assert.deepEqual(values(argv, "-device"), [
      "virtio-blk-pci,drive=disk0,bootindex=1",
      "virtio-blk-pci,drive=seed0",
      "virtio-net-pci,netdev=net0,mac=52:54:00:aa:00:01,romfile=",
      "virtio-rng-pci",
    ]);
    assert.equal(one(argv, "-netdev"), "tap,id=net0,fd=3");
    assert.equal(one(argv, "-kernel"), "/images/vmlinuz");
    assert.equal(one(argv, "-initrd"), "/images/initrd.img");
    // No shell ever sees the argv: the command line stays one element, metacharacters and all.
    assert.equal(one(argv, "-append"), "console=ttyS0 root=/dev/vda1 quiet; rm -rf / $(x) `y`");
    assert.ok(!argv.some((a) => a.includes("pflash")));
  });

  it("x86_64 disk boot under KVM and UEFI uses -cpu host and OVMF pflash", () => {
    const fw = uefiFirmware("x86_64");
    assert.deepEqual(fw, {
      code: "/usr/share/OVMF/OVMF_CODE_4M.fd",
      varsTemplate: "/usr/share/OVMF/OVMF_VARS_4M.fd",
    });
    const argv = buildQemuArgv({
      ...base,
      accel: "kvm",
      firmware: "uefi",
      uefi: { code: fw.code, vars: "/var/lib/qvmd/instances/web1/efivars.fd" },
      disk: { path: "/d/disk.raw", format: "raw" },
      nics: [
        { tap: "qvtweb10", mac: "52:54:00:00:00:01" },
        { tap: "qvtweb11", mac: "52:54:00:00:00:02" },
      ],
    });
    assert.equal(one(argv, "-cpu"), "host");
    assert.equal(one(argv, "-accel"), "kvm");
    assert.deepEqual(values(argv, "-drive"), [
      "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
      "if=pflash,format=raw,unit=1,file=/var/lib/qvmd/instances/web1/efivars.fd",
      "file=/d/disk.raw,format=raw,if=none,id=disk0,discard=unmap",
    ]);
    assert.deepEqual(values(argv, "-netdev"), ["tap,id=net0,fd=3", "tap,id=net1,fd=4"]);
    assert.ok(values(argv, "-chardev").includes("socket,id=qmp,fd=5,server=on,wait=off"));
    for (const f of ["-kernel", "-initrd", "-append"]) assert.ok(!argv.includes(f), f);
  });

  it("aarch64 UEFI: virt, cortex-a57 under TCG, AAVMF pflash with the per-instance vars", () => {
    const fw = uefiFirmware("aarch64");
    assert.deepEqual(fw, {
      code: "/usr/share/AAVMF/AAVMF_CODE.fd",
      varsTemplate: "/usr/share/AAVMF/AAVMF_VARS.fd",
    });
    const argv = buildQemuArgv({
      ...base,
      arch: "aarch64",
      firmware: "uefi",
      uefi: { code: fw.code, vars: "/v/vars.fd" },
      disk: { path: "/d/disk.qcow2", format: "qcow2" },
    });
    assert.equal(qemuBinary("aarch64"), "qemu-system-aarch64");
    assert.equal(one(argv, "-machine"), "virt");
    assert.equal(one(argv, "-cpu"), "cortex-a57");
    assert.equal(cpuModel("aarch64", "kvm"), "host");
    assert.deepEqual(values(argv, "-drive").slice(0, 2), [
      "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd",
      "if=pflash,format=raw,unit=1,file=/v/vars.fd",
    ]);
    assert.equal(one(argv, "-machine"), "virt");
    const many = buildQemuArgv({
      ...base,
      arch: "aarch64",
      cpus: 16,
      firmware: "uefi",
      uefi: fw && { code: fw.code, vars: "/v" },
    });
    assert.equal(one(many, "-machine"), "virt,gic-version=3");
  });

  it("escapes commas in paths inside QEMU option values", () => {
    const argv = buildQemuArgv({
      ...base,
      disk: { path: "/d/a,b.qcow2", format: "qcow2" },
      serialLog: "/l/x,y.log",
    });
    assert.ok(values(argv, "-drive")[0]!.startsWith("file=/d/a,,b.qcow2,format=qcow2"));
    assert.ok(values(argv, "-chardev").includes("file,id=serial0,path=/l/x,,y.log,append=on"));
  });

  it("refuses what QEMU would misread", () => {
    const bad: [Partial<QemuLaunch>, string][] = [
      [{ name: "a,b" }, "name"],
      [{ cpus: 0 }, "cpus"],
      [{ memoryMb: 1.5 }, "memoryMb"],
      [{ pidFile: "relative.pid" }, "pidFile"],
      [{ qmpSocket: "q.sock" }, "qmpSocket"],
      [{ firmware: "uefi" }, "uefi"],
      [{ arch: "aarch64" }, "firmware"],
      [{ initrd: "/i" }, "kernel"],
      [{ nics: [{ tap: "qvt1", mac: "53:54:00:00:00:01" }] }, "nics[0].mac"],
      [{ nics: [{ tap: "a-very-long-tap-name", mac: "52:54:00:00:00:01" }] }, "nics[0].tap"],
    ];
    for (const [patch, property] of bad) {
      assert.throws(
        () => buildQemuArgv({ ...base, ...patch }),
        (e: unknown) => e instanceof QvmdError && e.kind === "invalid" && e.opts.property === property,
        property,
      );
    }
  });

  it("runs QEMU through the launcher, inside a namespace through ip netns exec", () => {
    const l = { ...base, nics: [{ tap: "qvtweb10", mac: "52:54:00:00:00:01" }] };
    const c = launchCommand(l, "qvm-net1", 20000);
    assert.equal(c.file, "ip");
    assert.deepEqual(c.args.slice(0, 4), ["netns", "exec", "qvm-net1", "python3"]);
    const launcher = c.args.slice(4, c.args.indexOf("--"));
    assert.match(launcher[0]!, /sandbox-exec\.py$/);
    assert.deepEqual(launcher.slice(1), [
      "--uid",
      "995",
      "--gid",
      "995",
      "--groups",
      "995",
      "--tap",
      "qvtweb10",
      "--listen",
      "/run/qvmd/qvm-web1.qmp",
      "--daemon",
      "20",
    ]);
    assert.equal(c.args[c.args.indexOf("--") + 1], "qemu-system-x86_64");
    assert.equal(launchCommand(base).file, "python3");
    assert.throws(() => launchCommand({ ...base, sandbox: { ...base.sandbox, uid: 0 } }), /must not be root/);
  });
});
