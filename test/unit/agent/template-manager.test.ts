// InstanceTemplates (agent/src/template/manager.ts) over a fake host: a build records first, boots
// the image with its seed on a fenced TAP, waits until ready, saves and freezes; a build that is not
// ready in time keeps nothing; a saved template is kept while clones use it, then deleted whole.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { templateMac } from "../../../agent/src/template/launch";
import type { TemplateSpec } from "../../../agent/src/template/spec";
import { FakeAgent, netSpec, rejects, ROOT } from "../../helpers/fake-agent";

const spec = (over: Partial<TemplateSpec> = {}): TemplateSpec => ({
  id: "t1",
  image_id: "img",
  network_id: "n1",
  cpus: 1,
  memory_mb: 256,
  hostname: "tpl",
  user_data: "",
  ssh_authorized_keys: [],
  accel: "tcg",
  wait_for: "cloudInit",
  wait_seconds: 30,
  owner: "",
  ...over,
});

describe("Templates (fake host)", () => {
  let a: FakeAgent;
  const progress: string[] = [];
  const mac = templateMac("t1");
  const apply = (s: TemplateSpec) => a.templates.apply(s, (m) => progress.push(m), 0);
  beforeEach(async () => {
    a = new FakeAgent();
    progress.length = 0;
    await a.networks.apply(netSpec({ id: "n1", cidr: "10.50.0.0/24" }), 0);
    const src = a.source("disk.img", Buffer.alloc(1024));
    await a.images.apply({ id: "img", source: src } as never, () => undefined, ROOT);
    a.vm.addresses.set(mac, { mac, ip: "10.50.0.30", source: "dhcp" });
    a.vm.cloudInitDone.add(a.p.templateSerial("t1"));
  });
  afterEach(() => a.close());

  it("builds: disk layer, seed, fenced TAP, QEMU, ready, saved, then frozen", async () => {
    const s = await apply(spec());
    assert.deepEqual(a.vm.calls, [
      "createLayer",
      "buildSeed",
      "createTap qvm-n1 qvst10",
      "launchQemu qvm-tpl-t1",
      "attachTap qvst10 qvmn1b",
      "discover qvmn1b " + mac,
      `cloudInit ${a.p.templateSerial("t1")}`,
      "saveAndStop qvm-tpl-t1",
      "deleteTap qvst10",
    ]);
    assert.equal(s.record.status, "ready");
    assert.deepEqual(s.record.machine, { arch: "x86_64", cpus: 1, memoryMb: 256, machine: "q35" });
    // The build VM's TAP was in the network's guest fence before it joined the bridge.
    assert.ok(
      a.net.calls.some((c) => c.startsWith("applyFence qvm-n1")),
      a.net.calls.join("\n"),
    );
    assert.equal(a.vm.qemus.size, 0, "the build VM is gone");
    assert.equal(a.vm.shared.get(a.p.templateDisk("t1")), 0o440);
    assert.equal(a.vm.shared.get(a.p.templateMemory("t1")), 0o660);
    assert.equal(fs.statSync(a.p.templateState("t1")).mode & 0o777, 0o400);
    assert.deepEqual(await apply(spec()), s, "the same spec again builds nothing");
    assert.equal(a.vm.calls.filter((c) => c === "createLayer").length, 1);
  });

  it("a build not ready in time keeps nothing: no record, no VM, no TAP, no files", async () => {
    a.vm.cloudInitDone.clear();
    await rejects(apply(spec()), "TEMPLATE_NOT_READY", "waitFor");
    assert.equal(a.state.templates.t1, undefined);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0]);
    assert.equal(fs.existsSync(a.p.templateDir("t1")), false);
  });

  it("refuses unknown references, and a delete while a clone uses it", async () => {
    await rejects(apply(spec({ id: "t2", image_id: "nope" })), "UNKNOWN_IMAGE", "imageId");
    await rejects(apply(spec({ id: "t2", network_id: "nope" })), "UNKNOWN_NETWORK", "networkId");
    await apply(spec());
    await a.state.update((d) => {
      d.instances.c1 = { ...structuredClone(d.templates.t1!), spec: { template_id: "t1" } } as never;
    });
    await rejects(a.templates.delete("t1"), "TEMPLATE_IN_USE");
    await a.state.update((d) => {
      delete d.instances.c1;
    });
    assert.equal(await a.templates.delete("t1"), true);
    assert.equal(a.state.templates.t1, undefined);
    assert.equal(fs.existsSync(a.p.templateDir("t1")), false);
    assert.equal(await a.templates.delete("t1"), false, "deleting again succeeds");
  });
});
