// Instances (agent/src/instance/manager.ts) over a fake host: the order of create (record, overlay,
// seed, TAPs, QEMU, TAP moves, discovery), restarts only when what QEMU was started with changed,
// disks that only grow, failures that leave a retryable record, and a delete that finds everything.
import * as assert from "node:assert/strict";
import type { InstanceSpec } from "../../../agent/src/instance/spec";
import { templateSpecShape } from "../../../agent/src/template/spec";
import { FakeAgent, instanceSpec, networksAndImage, rejects } from "../../helpers/fake-agent";

const MAC1 = "52:54:00:00:00:01";
const MAC2 = "52:54:00:00:00:02";

const inst = instanceSpec;

describe("Instances (fake host)", () => {
  let a: FakeAgent;
  const progress: string[] = [];
  const apply = (s: InstanceSpec) => a.instances.apply(s, (m) => progress.push(m), 0);
  beforeEach(async () => {
    a = new FakeAgent();
    progress.length = 0;
    await networksAndImage(a);
    a.vm.addresses.set(MAC1, { mac: MAC1, ip: "10.50.0.17", source: "dhcp" });
    a.vm.addresses.set(MAC2, { mac: MAC2, ip: "10.51.0.5", source: "arp" });
  });
  afterEach(() => a.close());

  it("creates overlay, seed, launcher at once, then QEMU (its TAP made in its bridge), then waits for the address", async () => {
    const s = await apply(inst());
    assert.deepEqual(a.vm.calls, [
      "createOverlay 1",
      "buildSeed",
      "probeAccel",
      "startLauncher qvm-v1",
      "launchQemu qvm-v1",
      "discover qvmn1b 52:54:00:00:00:01",
      "ipTables",
    ]);
    assert.equal(a.vm.launchers.get("qvm-v1"), "went", "the launcher started with the preparation runs it");
    assert.deepEqual(a.vm.taps.get("qvtv10"), { ns: "qvm-n1", master: "qvmn1b", mtu: 1500 });
    assert.equal(s.state, "running");
    assert.equal(s.accel, "tcg");
    assert.deepEqual(
      s.nics.map((n) => [n.tap, n.ip, n.source]),
      [["qvtv10", "10.50.0.17", "dhcp"]],
    );
    assert.deepEqual(a.state.instances.v1!.addresses, { [MAC1]: { ip: "10.50.0.17", source: "dhcp" } });
    assert.equal(a.vm.seeds.get(a.p.instanceSeed("v1"))!.metaData.includes("v1"), true);
    assert.ok(progress.some((m) => /accelerator: tcg/.test(m)));
  });

  it("runs QEMU in the first NIC's namespace and moves the other TAPs where they belong", async () => {
    a.bridgeHost.addLink("qvlan", { kind: "bridge", addresses: ["192.168.9.2/24"] });
    await a.bridges.apply({ id: "b1", name: "qvlan", adopt: true } as never, 0);
    const nics = [
      { network_id: "n1", bridge_id: "", mac: MAC1, ip: "" },
      { network_id: "n2", bridge_id: "", mac: MAC2, ip: "" },
      { network_id: "", bridge_id: "b1", mac: "52:54:00:00:00:03", ip: "" },
    ];
    await assert.rejects(apply(inst({ nics })), /no address for 52:54:00:00:00:03/);
    assert.deepEqual(a.vm.only("createTap", "launchQemu", "moveTap", "attachTap"), [
      "launchQemu qvm-v1",
      "moveTap qvtv11 qvm-n2",
      "attachTap qvtv11 qvmn2b",
      "moveTap qvtv12 root",
      "attachTap qvtv12 qvlan",
    ]);
    assert.equal(a.vm.qemus.get("qvm-v1")!.netns, "qvm-n1");
    assert.deepEqual(
      ["qvtv10", "qvtv11", "qvtv12"].map((t) => a.vm.taps.get(t)),
      [
        { ns: "qvm-n1", master: "qvmn1b", mtu: 1500 },
        { ns: "qvm-n2", master: "qvmn2b", mtu: 1500 },
        { ns: "", master: "qvlan", mtu: undefined },
      ],
      "each TAP in its own namespace and bridge",
    );
    assert.deepEqual(a.vm.only("discover").sort(), [
      "discover qvlan 52:54:00:00:00:03",
      "discover qvmn1b 52:54:00:00:00:01",
      "discover qvmn2b 52:54:00:00:00:02",
    ]);
  });

  it("records the instance before touching the host, so a failed create is retried or deleted", async () => {
    a.vm.failOn("launchQemu");
    await rejects(apply(inst()), "HOST_COMMAND_FAILED");
    assert.ok(a.state.instances.v1, "recorded");
    assert.equal(a.vm.launchers.get("qvm-v1"), "aborted", "the launcher never let go exits");
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0], "the failed start is rolled back");
    const s = await apply(inst());
    assert.equal(s.state, "running");
    assert.deepEqual(a.vm.only("createOverlay"), ["createOverlay 1"], "the overlay is made once");
    assert.equal(await a.instances.delete("v1"), true);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0]);
  });

  it("a failed preparation aborts the launcher started with it, before anything runs", async () => {
    a.vm.failOn("buildSeed");
    await rejects(apply(inst()), "HOST_COMMAND_FAILED");
    assert.equal(a.vm.launchers.get("qvm-v1"), "aborted");
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size, a.vm.only("launchQemu").length], [0, 0, 0]);
  });

  it("spawns a later start's launcher with its plan, before the record; none for a refused one", async () => {
    await apply(inst());
    a.vm.calls.length = 0;
    await rejects(apply(inst({ id: "v2" })), "DUPLICATE_MAC");
    assert.deepEqual(a.vm.only("spawnLauncher"), [], "refused before any plan");
    await apply(inst({ id: "v2", nics: [{ network_id: "n1", bridge_id: "", mac: MAC2, ip: "" }] }));
    assert.deepEqual(a.vm.calls.slice(0, 2), ["spawnLauncher qvm-v2", "createOverlay 1"]);
    assert.deepEqual(a.vm.only("startLauncher", "launchQemu"), ["startLauncher qvm-v2", "launchQemu qvm-v2"]);
    assert.equal(a.vm.launchers.get("qvm-v2"), "went", "the launcher spawned early is the one let go");
    a.vm.failOn("buildSeed");
    await rejects(apply(inst({ id: "v3", nics: [] })), "HOST_COMMAND_FAILED");
    assert.equal(a.vm.launchers.get("qvm-v3"), "aborted", "a failed preparation aborts it");
  });

  it("rolls a half-started VM back: QEMU stopped, TAPs removed wherever they got to", async () => {
    const nics = [
      { network_id: "n1", bridge_id: "", mac: MAC1, ip: "" },
      { network_id: "n2", bridge_id: "", mac: MAC2, ip: "" },
    ];
    a.vm.failOn("attachTap qvtv11");
    await rejects(apply(inst({ nics })), "HOST_COMMAND_FAILED");
    assert.deepEqual(a.vm.only("launchQemu", "moveTap", "stopQemu"), [
      "launchQemu qvm-v1",
      "moveTap qvtv11 qvm-n2",
      "stopQemu 1000",
    ]);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0]);
    assert.equal((await a.instances.status("v1")).state, "stopped");
    assert.equal((await apply(inst({ nics }))).state, "running", "and the next Apply starts it");
  });

  it("leaves a running VM alone when nothing QEMU was started with changed", async () => {
    await apply(inst());
    a.vm.calls.length = 0;
    await apply(inst({ hostname: "web", user_data: "#cloud-config\n" }));
    assert.deepEqual(a.vm.only("stopQemu", "launchQemu"), []);
    assert.deepEqual(a.vm.only("buildSeed"), ["buildSeed"], "the seed follows the spec");
  });

  it("restarts when cpus change, stops when running is false, and starts again", async () => {
    await apply(inst());
    const pid = a.vm.qemus.get("qvm-v1")!.pid;
    a.vm.calls.length = 0;
    await apply(inst({ cpus: 2 }));
    assert.deepEqual(a.vm.only("stopQemu", "launchQemu"), [`stopQemu ${pid}`, "launchQemu qvm-v1"]);
    assert.equal(a.vm.qemus.get("qvm-v1")!.launch.cpus, 2);
    assert.ok(progress.includes("restarting to apply changes"));
    const s = await apply(inst({ cpus: 2, running: false }));
    assert.equal(s.state, "stopped");
    assert.deepEqual(s.nics[0]!.ip, "", "a stopped VM reports no address");
    await apply(inst({ cpus: 2 }));
    assert.equal((await a.instances.status("v1")).state, "running");
  });

  it("restarts a VM on two networks: the TAP left in the second namespace does not block the move", async () => {
    const nics = [
      { network_id: "n1", bridge_id: "", mac: MAC1, ip: "" },
      { network_id: "n2", bridge_id: "", mac: MAC2, ip: "" },
    ];
    await apply(inst({ nics }));
    await apply(inst({ nics, memory_mb: 1024 }));
    assert.equal(a.vm.qemus.get("qvm-v1")!.launch.memoryMb, 1024);
    assert.deepEqual(a.vm.taps.get("qvtv11"), { ns: "qvm-n2", master: "qvmn2b", mtu: 1500 });
  });

  it("grows disks through QMP while running and qemu-img when stopped, and never shrinks them", async () => {
    await apply(inst({ disk_gb: 2 }));
    await apply(inst({ disk_gb: 3 }));
    await apply(inst({ disk_gb: 4, running: false })); // grown before the VM stops
    await apply(inst({ disk_gb: 5, running: false }));
    assert.deepEqual(a.vm.only("createOverlay", "resizeRunning", "resizeOverlay", "stopQemu"), [
      "createOverlay 2",
      "resizeRunning 3",
      "resizeRunning 4",
      "stopQemu 1000",
      "resizeOverlay 5",
    ]);
    await rejects(apply(inst({ disk_gb: 3 })), "DISK_SHRINK", "diskGb");
  });

  it("fails with the serial log tail when no address comes, leaving the VM running", async () => {
    a.vm.addresses.clear();
    await apply(inst({ wait_for_ip_seconds: 0 }));
    const e = await rejects(
      apply(inst({ id: "v2", nics: [{ ...inst().nics[0]!, mac: MAC2 }] })),
      "INSTANCE_NO_IP",
    );
    assert.equal(e.kind, "precondition");
    assert.equal(e.opts.property, "waitForIp");
    assert.match(e.message, /no address for 52:54:00:00:00:02 within 30s \(the VM is running\)/);
    assert.ok(a.vm.qemus.has("qvm-v2"));
  });

  it("refuses what clashes with other resources, naming the property, and records nothing", async () => {
    await apply(inst({ nics: [{ network_id: "n1", bridge_id: "", mac: MAC1, ip: "10.50.0.30" }] }));
    const other = (over: Partial<InstanceSpec>) => apply(inst({ id: "v2", ...over }));
    const nic = { network_id: "n1", bridge_id: "", mac: MAC2, ip: "" };
    await rejects(other({ image_id: "nope", nics: [nic] }), "UNKNOWN_IMAGE", "imageId");
    await rejects(
      other({ nics: [{ ...nic, network_id: "nonet" }] }),
      "UNKNOWN_NETWORK",
      "networks[0].networkId",
    );
    await rejects(other({ nics: [{ ...nic, mac: MAC1 }] }), "DUPLICATE_MAC", "networks[0].mac");
    await rejects(other({ nics: [{ ...nic, ip: "10.50.0.30" }] }), "IP_TAKEN", "networks[0].ip");
    await rejects(other({ nics: [{ ...nic, ip: "10.50.0.1" }] }), "RESERVED", "networks[0].ip");
    await rejects(other({ nics: [{ ...nic, ip: "10.9.0.1" }] }), "OUTSIDE_CIDR", "networks[0].ip");
    a.vm.hostListeners.push({ protocol: "tcp", port: 8080, address: "0.0.0.0", process: "nginx (pid 7)" });
    const fwd = { host_port: 8080, guest_port: 80, protocol: "", host_address: "" };
    const e = await rejects(other({ nics: [nic], port_forwards: [fwd] }), "PORT_IN_USE");
    assert.match(e.message, /nginx \(pid 7\)/);
    assert.deepEqual(Object.keys(a.state.instances), ["v1"]);
    assert.deepEqual(a.vm.only("launchQemu"), ["launchQemu qvm-v1"]);
  });

  it("records the spec as validated: a MAC spelled with case and whitespace is one MAC (finding 13)", async () => {
    const spelled = `  ${MAC1.toUpperCase()}\n\t`;
    await apply(inst({ nics: [{ network_id: "n1", bridge_id: "", mac: spelled, ip: "10.50.0.30" }] }));
    assert.deepEqual(a.state.instances.v1!.spec.nics, [
      { network_id: "n1", bridge_id: "", mac: MAC1, ip: "10.50.0.30" },
    ]);
    assert.deepEqual(
      a.net.dhcp.get("n1")!.extra.map((r) => r.mac),
      [MAC1],
      "one dnsmasq host line, intact",
    );
    const nic = { network_id: "n1", bridge_id: "", mac: MAC1, ip: "" };
    await rejects(apply(inst({ id: "v2", nics: [nic] })), "DUPLICATE_MAC", "networks[0].mac");
  });

  it("forwards ports to the discovered address and refuses the same port for another instance", async () => {
    const fwd = { host_port: 2222, guest_port: 22, protocol: "tcp", host_address: "" };
    await apply(inst({ port_forwards: [fwd] }));
    assert.equal(a.vm.portTables.get("v1")!.ip, "10.50.0.17");
    const nic = { network_id: "n1", bridge_id: "", mac: MAC2, ip: "" };
    const v = await a.instances.check(inst({ id: "v2", nics: [nic], port_forwards: [fwd] }), 0);
    assert.deepEqual(
      v.map((x) => [x.property, x.code]),
      [["portForwards[0].hostPort", "PORT_FORWARDED"]],
    );
    a.vm.portTables.clear();
    assert.deepEqual(await a.instances.missingPortTables(), ["nft table ip qvmp_v1 missing"]);
    await a.instances.refreshPortForwards();
    assert.deepEqual(await a.instances.missingPortTables(), []);
  });

  it("deletes the VM, every TAP wherever it is, its files and record, and feeds DHCP and DNS", async () => {
    await apply(
      inst({ hostname: "web", nics: [{ network_id: "n1", bridge_id: "", mac: MAC1, ip: "10.50.0.30" }] }),
    );
    assert.deepEqual(a.instances.hostsOn("n1"), [{ name: "web", ip: "10.50.0.17" }]);
    assert.equal(a.net.dhcp.get("n1")!.extra.length, 1, "the fixed address is a reservation");
    await a.vm.createTap(undefined, "qvtv11"); // left in the root namespace by a crash before its move
    assert.equal(await a.instances.delete("v1"), true);
    assert.deepEqual([a.vm.qemus.size, a.vm.taps.size], [0, 0]);
    assert.equal(a.net.dhcp.get("n1")!.extra.length, 0);
    assert.deepEqual(Object.keys(a.state.instances), []);
    assert.equal(await a.instances.delete("v1"), false);
    await rejects(a.instances.status("v1"), "INSTANCE_NOT_FOUND");
  });

  it("records a clone's spec as resolved too: a MAC in another spelling is stored as used (finding 13)", async () => {
    // A ready template, as its build records it (the build itself needs a real QEMU to save).
    await a.state.update((d) => {
      d.templates.t1 = {
        uid: 0,
        spec: templateSpecShape.parse({ id: "t1", image_id: "img", network_id: "n1", memory_mb: 256 }),
        status: "ready",
        blobs: [],
        imageId: "img",
        accel: "tcg",
        machine: { arch: "x86_64", cpus: 1, memoryMb: 256, machine: "q35" },
        boot: {},
        bootMs: 1,
        saveMs: 1,
        createdAt: new Date().toISOString(),
      };
    });
    const raw = inst({ id: "c1", image_id: "", template_id: "t1", wait_for_ip_seconds: 0 });
    raw.nics = [{ ...raw.nics[0]!, mac: ` ${MAC1.toUpperCase()}\t` }];
    // The clone is recorded before any host step; its start then needs a real template's disk
    // and QEMU (test/integration/instances/template.test.ts), which this fake has not.
    await apply(raw).catch(() => undefined);
    assert.equal(a.state.instances.c1!.spec.nics[0]!.mac, MAC1.toLowerCase());
  });
});
