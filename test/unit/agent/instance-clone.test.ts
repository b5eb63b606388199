// Clones of an InstanceTemplate (instance/clone.ts planClone, run by instance/manager.ts) over a fake
// host: the order of a restore (record, DHCP, a fresh disk layer, TAPs, QEMU waiting `incoming`, TAPs
// moved and attached, state and NICs), a clone that runs its guest left alone, one found mid-restore
// restored again, and a failed start rolled back as an instance's is, the record kept for a retry.
import * as assert from "node:assert/strict";
import { parseIp } from "@pulumi-qemu/api/validate";
import type { InstanceSpec } from "../../../agent/src/instance/spec";
import { templateMac } from "../../../agent/src/template/launch";
import { FakeAgent, instanceSpec, networksAndImage, rejects } from "../../helpers/fake-agent";

const MAC1 = "52:54:00:00:00:01";
const MAC2 = "52:54:00:00:00:02";
const N1 = { network_id: "n1", bridge_id: "", mac: MAC1, ip: "" };
const N2 = { network_id: "n2", bridge_id: "", mac: MAC2, ip: "" };

const clone = (over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec({
    id: "c1",
    image_id: "",
    template_id: "t1",
    cpus: 0,
    memory_mb: 0,
    nics: [N1],
    wait_for: "cloudInit",
    ...over,
  });

describe("Instances (fake host): clones of a template", () => {
  let a: FakeAgent;
  const progress: string[] = [];
  const apply = (s: InstanceSpec) => a.instances.apply(s, (m) => progress.push(m), 0);
  beforeEach(async () => {
    a = new FakeAgent();
    await networksAndImage(a);
    const mac = templateMac("t1");
    a.vm.addresses.set(mac, { mac, ip: "10.50.0.30", source: "dhcp" });
    a.vm.cloudInitDone.add(a.p.templateSerial("t1"));
    const tpl = { id: "t1", image_id: "img", network_id: "n1", cpus: 1, memory_mb: 256 };
    await a.templates.apply(
      { ...tpl, hostname: "", user_data: "", ssh_authorized_keys: [] } as never,
      () => 0,
      0,
    );
    a.vm.addresses.set(MAC1, { mac: MAC1, ip: "10.50.0.17", source: "dhcp" });
    a.vm.addresses.set(MAC2, { mac: MAC2, ip: "10.51.0.5", source: "dhcp" });
    a.vm.calls.length = 0;
    progress.length = 0;
  });
  afterEach(() => a.close());

  it("restores: a fresh layer, TAPs, QEMU incoming, TAPs moved and attached, state and NICs, then waits", async () => {
    const s = await apply(clone({ nics: [N1, N2] }));
    assert.deepEqual(a.vm.calls, [
      "createOverlay backing",
      "createTap qvm-n1 qvtc10",
      "createTap qvm-n1 qvtc11",
      "launchQemu qvm-c1",
      "attachTap qvtc10 qvmn1b",
      "moveTap qvtc11 qvm-n2",
      "attachTap qvtc11 qvmn2b",
      `restoreClone ${MAC1},${MAC2}`,
      "discover qvmn1b 52:54:00:00:00:01",
      "discover qvmn2b 52:54:00:00:00:02",
      "ipTables",
      // cloud-init ran in the template: its serial log says so.
      `cloudInit ${a.p.templateSerial("t1")}`,
    ]);
    const q = a.vm.qemus.get("qvm-c1")!;
    assert.equal(q.launch.incoming, true);
    assert.equal(q.netns, "qvm-n1");
    assert.deepEqual(q.plugged, [MAC1, MAC2]);
    assert.equal(a.vm.disks.get(a.p.instanceDisk("c1")), undefined, "the layer is the template's size");
    assert.ok(a.vm.disks.has(a.p.instanceDisk("c1")));
    assert.equal(s.state, "running");
    assert.equal(s.instance.memory_mb, 256, "a clone runs its template's machine");
    const rec = a.state.instances.c1!;
    assert.deepEqual([rec.blobs, rec.diskGb], [[], a.state.templates.t1!.diskGb ?? 0]);
    assert.notEqual(rec.launchKey, "");
    assert.ok(
      progress.some((m) =>
        /^restored from template t1 in \d+ ms; NICs plugged \(disk and TAPs \d+ ms, QEMU start -?\d+ ms, state 1 ms, NIC plug 1 ms\)$/.test(
          m,
        ),
      ),
      progress.join("\n"),
    );
    assert.ok(!progress.some((m) => /^starting|^booting/.test(m)), "a clone is restored, not booted");
  });

  it("puts a clone's NIC on a host bridge behind the host fence before its TAP joins the bridge", async () => {
    a.bridgeHost.addLink("qvlan", { kind: "bridge", addresses: ["192.168.9.2/24"] });
    await a.bridges.apply({ id: "b1", name: "qvlan", adopt: true } as never, 0);
    const MAC3 = "52:54:00:00:00:03";
    a.vm.addresses.set(MAC3, { mac: MAC3, ip: "192.168.9.40", source: "arp" });
    a.vm.calls.length = 0;
    await apply(clone({ nics: [N1, { network_id: "", bridge_id: "b1", mac: MAC3, ip: "" }] }));
    assert.deepEqual(a.vm.only("applyHostFence", "attachTap"), [
      "applyHostFence",
      "attachTap qvtc10 qvmn1b",
      "attachTap qvtc11 qvlan",
      // After the wait: the address found is the one the NIC may use from now on.
      "applyHostFence",
    ]);
    const fenced = (a.vm.hostFence ?? []).map((n) => [n.tap, n.mac, n.segment, n.ips]);
    assert.deepEqual(fenced, [["qvtc11", MAC3, "qvlan", [parseIp("192.168.9.40")]]]);
  });

  it("leaves a clone that runs its guest alone, and restores one found mid-restore again", async () => {
    await apply(clone());
    const pid = a.vm.qemus.get("qvm-c1")!.pid;
    a.vm.calls.length = 0;
    await apply(clone());
    assert.deepEqual(a.vm.only("cloneRunsGuest", "stopQemu", "launchQemu"), ["cloneRunsGuest"]);
    assert.equal(a.vm.qemus.get("qvm-c1")!.pid, pid);
    // A crash between QEMU's start and the restore: a QEMU that waits, its guest not running.
    a.vm.qemus.get("qvm-c1")!.restored = false;
    a.vm.calls.length = 0;
    progress.length = 0;
    await apply(clone());
    assert.deepEqual(a.vm.only("cloneRunsGuest", "stopQemu", "createOverlay", "launchQemu", "restoreClone"), [
      "cloneRunsGuest",
      `stopQemu ${pid}`,
      "createOverlay backing",
      "launchQemu qvm-c1",
      `restoreClone ${MAC1}`,
    ]);
    assert.ok(progress.includes("restoring again"));
  });

  it("rolls a failed restore back: QEMU stopped, TAPs removed wherever they got to; the record stays", async () => {
    a.vm.failOn("restoreClone");
    await rejects(apply(clone({ nics: [N1, N2] })), "HOST_COMMAND_FAILED");
    assert.deepEqual(a.vm.only("launchQemu", "restoreClone", "stopQemu", "deleteTap"), [
      "launchQemu qvm-c1",
      `restoreClone ${MAC1},${MAC2}`,
      "stopQemu 1001", // the template's build VM was 1000
      "deleteTap qvtc10",
      "deleteTap qvtc11",
    ]);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0]);
    assert.ok(a.state.instances.c1, "recorded: a retry converges, a Delete finds it");
    assert.equal((await apply(clone({ nics: [N1, N2] }))).state, "running", "and the next Apply restores it");
  });

  it("stops a clone whose spec says not running, and deletes it whole", async () => {
    await apply(clone());
    const pid = a.vm.qemus.get("qvm-c1")!.pid;
    a.vm.calls.length = 0;
    const s = await apply(clone({ running: false }));
    assert.deepEqual(a.vm.only("stopQemu", "launchQemu", "discover"), [`stopQemu ${pid}`]);
    assert.equal(s.state, "stopped");
    assert.equal(await a.instances.delete("c1"), true);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size, a.state.instances.c1], [0, 0, undefined]);
  });

  it("ten clones applied at once share DHCP renders, each reservation in place before its NIC is plugged", async () => {
    const macs = Array.from({ length: 10 }, (_, i) => `52:54:00:00:01:${i.toString(16).padStart(2, "0")}`);
    for (const mac of macs)
      a.vm.addresses.set(mac, { mac, ip: `10.50.0.${100 + macs.indexOf(mac)}`, source: "dhcp" });
    const reserved = () => new Set((a.net.dhcp.get("n1")?.extra ?? []).map((h) => h.mac));
    const missing: string[] = [];
    const restore = a.vm.restoreClone.bind(a.vm);
    a.vm.restoreClone = async (qmp, uri, plugged) => {
      for (const mac of plugged) if (!reserved().has(mac)) missing.push(mac);
      return restore(qmp, uri, plugged);
    };
    // A render that takes a while (nft -f and dnsmasq's reload, on a busy host): clones admitted
    // meanwhile find one waiting to start and join it.
    const ensureDhcp = a.net.ensureDhcp.bind(a.net);
    a.net.ensureDhcp = async (n, extra) => {
      await new Promise((r) => setTimeout(r, 20));
      return ensureDhcp(n, extra);
    };
    a.net.calls.length = 0;
    const specs = macs.map((mac, i) => clone({ id: `c${i}`, nics: [{ ...N1, mac }], wait_for: "ip" }));
    const all = await Promise.all(specs.map((s) => apply(s)));
    assert.deepEqual(
      all.map((s) => s.state),
      macs.map(() => "running"),
    );
    assert.deepEqual(missing, [], "every clone's reservation was rendered before its NIC was plugged");
    assert.deepEqual([...reserved()].sort(), [...macs].sort());
    const renders = a.net.calls.filter((c) => c === "ensureDhcp n1").length;
    assert.ok(renders >= 1 && renders < macs.length, `${renders} DHCP renders for ${macs.length} clones`);
  });
});
