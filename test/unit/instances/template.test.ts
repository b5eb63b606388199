import * as assert from "node:assert/strict";
import { paths } from "../../../agent/src/constants";
import { cloneLaunch } from "../../../agent/src/instance/clone";
import { resolveInstance } from "../../../agent/src/instance/spec";
import { buildQemuArgv, restoreUri } from "../../../agent/src/qemu/argv";
import type { TemplateRecord } from "../../../agent/src/state";
import { templateMac } from "../../../agent/src/template/launch";
import { buildKey, resolveTemplate } from "../../../agent/src/template/spec";

const p = paths({ stateDir: "/var/lib/qvmd", runDir: "/run/qvmd" });
const tpl: TemplateRecord = {
  spec: {
    id: "t1",
    image_id: "img",
    network_id: "n1",
    cpus: 2,
    memory_mb: 256,
    hostname: "",
    user_data: "",
    ssh_authorized_keys: [],
    accel: "tcg",
    wait_for: "cloudInit",
    wait_seconds: 0,
    owner: "",
  },
  status: "ready",
  blobs: [],
  imageId: "img",
  accel: "tcg",
  machine: { arch: "x86_64", cpus: 2, memoryMb: 256, machine: "q35" },
  boot: { kernel: "/k", initrd: "/i", cmdline: "console=ttyS0" },
  bootMs: 1,
  saveMs: 1,
  createdAt: "now",
};

describe("templates and clones (pure parts)", () => {
  it("a clone is the template's machine, restored: private memory mapping, NICs plugged later", () => {
    const l = cloneLaunch(p, { id: "c1", template_id: "t1" }, tpl, [
      { tap: "qvtc10", mac: "52:54:00:00:00:01" },
    ]);
    const argv = buildQemuArgv(l);
    const joined = argv.join(" ");
    assert.match(joined, /-smp 2 -m 256M/);
    assert.ok(
      joined.includes(
        "memory-backend-file,id=ram0,size=256M,mem-path=/var/lib/qvmd/templates/t1/memory,share=off",
      ),
    );
    assert.ok(argv.includes("memory-backend=ram0"));
    assert.deepEqual(argv.slice(-2), ["-incoming", "defer"]);
    assert.ok(argv.includes("vmgenid,guid=auto"));
    assert.equal(argv.filter((a) => a.startsWith("pcie-root-port")).length, 4, "the template's root ports");
    assert.ok(argv.includes("tap,id=net0,fd=3"), "the TAP is opened by the launcher and handed over");
    // The saved state is opened by the launcher as root: QEMU sees a descriptor, never the path.
    assert.ok(!joined.includes("/templates/t1/state"));
    assert.equal(restoreUri(l), "fd:5", "after the TAP (3) and the QMP socket (4)");
    assert.ok(!argv.some((a) => a.startsWith("virtio-net-pci")), "NICs are hot-plugged after the restore");
    assert.ok(joined.includes("file=/var/lib/qvmd/instances/c1/disk.qcow2"));
    assert.ok(joined.includes("file=/var/lib/qvmd/templates/t1/seed.iso"));
  });

  it("a template's NIC sits on a root port with an id, so it can be unplugged", () => {
    const l = {
      ...cloneLaunch(p, { id: "c1", template_id: "t1" }, tpl, [{ tap: "qvst10", mac: "52:54:01:00:00:01" }]),
    };
    l.hotplug = { rootPorts: 4, nicsLater: false };
    l.incoming = false;
    l.restoreFrom = undefined;
    l.memoryFile = { path: "/m", shared: true };
    const argv = buildQemuArgv(l);
    assert.ok(argv.includes("virtio-net-pci,netdev=net0,mac=52:54:01:00:00:01,bus=rp0,id=nic0,romfile="));
    assert.ok(argv.join(" ").includes("mem-path=/m,share=on"));
    assert.ok(!argv.includes("-incoming"));
    l.nics = Array.from({ length: 5 }, (_, i) => ({ tap: `qvst1${i}`, mac: `52:54:01:00:00:0${i + 1}` }));
    assert.throws(() => buildQemuArgv(l), /5 NICs but only 4 root ports/);
  });

  it("validates a template spec and keys rebuilds on what shapes the guest", () => {
    const { template: t } = resolveTemplate({ id: "t1", image_id: "img", network_id: "n1" });
    assert.equal(t?.waitFor, "cloudInit");
    assert.equal(t?.memoryMb, 512);
    assert.equal(t?.hostname, "t1");
    const bad = resolveTemplate({ id: "T!", image_id: "img", network_id: "n1", wait_for: "x", memory_mb: 8 });
    assert.deepEqual(
      bad.violations.map((v) => v.property).sort(),
      ["id", "hostname", "memoryMb", "waitFor"].sort(),
    );
    const other = resolveTemplate({
      id: "t1",
      image_id: "img",
      network_id: "n1",
      wait_seconds: 60,
    }).template!;
    assert.equal(buildKey(t!), buildKey(other), "the timeout is not part of the saved guest");
    const changed = resolveTemplate({
      id: "t1",
      image_id: "img",
      network_id: "n1",
      user_data: "#!/bin/sh\n",
    });
    assert.notEqual(buildKey(t!), buildKey(changed.template!));
    assert.match(templateMac("t1"), /^52:54:01:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  });

  it("refuses what a clone cannot have, naming the property", () => {
    const clone = { id: "c1", template_id: "t1", nics: [{ network_id: "n1", mac: "52:54:00:00:00:01" }] };
    assert.deepEqual(resolveInstance(clone).violations, []);
    const codes = (s: object) =>
      resolveInstance({ ...clone, ...s }).violations.map(
        (v: { property: string; code: string }) => `${v.property}:${v.code}`,
      );
    assert.deepEqual(codes({ user_data: "#cloud-config\n" }), ["userData:CLONE_FIXED"]);
    assert.deepEqual(codes({ disk_gb: 5 }), ["diskGb:CLONE_FIXED"]);
    assert.deepEqual(codes({ image_id: "img" }), ["imageId:CLONE_FIXED"]);
    assert.deepEqual(codes({ template_id: "../x" }), ["templateId:BAD_ID"]);
  });
});
