// Host reboot (issue 11, item 2), simulated: qvmd dies, then everything of ours leaves the kernel
// (namespaces, links, nft tables, QEMU, dnsmasq, the DNS forwarder process) and the run directory
// is emptied (it is a tmpfs), while the state directory survives. The qvmd that starts next must
// re-create the network and start the instances that should be running, with the same addresses,
// and leave the stopped one stopped.
import * as assert from "node:assert/strict";
import { run } from "../../agent/src/util/exec";
import * as fs from "node:fs";
import { guestDir } from "../helpers/guest";
import { nxdomain, startFake, type Fake } from "../integration/dns/fakes";
import { TestAgent } from "../helpers/agent";
import { hostSnapshot, processes, qemuOf, waitFor } from "../helpers/chaos";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

describe("chaos: host reboot (kernel objects gone, state kept)", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  let fake: Fake;

  after(async () => {
    await agent.stop();
    await fake?.close();
  });

  it("qvmd re-creates the network and starts the instances that should run, with their addresses", async () => {
    const g = await guestDir("x86_64");
    const c = await agent.start();
    fake = await startFake("127.0.0.1", nxdomain);
    await c.applyNetwork({ id: "rb1", cidr: "10.249.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyDnsForwarder({
      id: "rb1",
      network_id: "rb1",
      zone: "rb.internal",
      upstreams: [fake.server],
    });
    await c.applyImage({
      id: "rbi",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
      cmdline: "console=ttyS0 quiet",
    });
    const nic = (n: string) => [{ network_id: "rb1", mac: `52:54:00:4b:00:${n}` }];
    const dhcp = await c.applyInstance({
      id: "rbv1",
      image_id: "rbi",
      memory_mb: 128,
      nics: nic("01"),
      running: true,
      wait_for_ip_seconds: 100,
    });
    const fixed = await c.applyInstance({
      id: "rbv2",
      image_id: "rbi",
      memory_mb: 128,
      nics: [{ network_id: "rb1", mac: "52:54:00:4b:00:02", ip: "10.249.0.40" }],
      running: true,
      wait_for_ip_seconds: 100,
    });
    await c.applyInstance({ id: "rbv3", image_id: "rbi", memory_mb: 128, nics: nic("03"), running: false });
    const ips = [dhcp.nics[0]!.ip, fixed.nics[0]!.ip];
    assert.equal(ips[1], "10.249.0.40");
    const upBefore = await hostSnapshot(agent.stateDir);

    // The reboot: qvmd first (it would be stopped with the rest), then everything of ours.
    await agent.kill("SIGKILL");
    for (const p of processes())
      if (
        (p.comm.startsWith("qemu-system") || p.comm === "dnsmasq") &&
        p.argv.some((a) => a.includes(agent.stateDir))
      )
        process.kill(p.pid, "SIGKILL");
    for (const p of processes()) if (p.argv.includes("qvmd-dns")) process.kill(p.pid, "SIGKILL");
    await run("ip", ["netns", "del", "qvm-rb1"], { reject: false });
    await run("ip", ["link", "del", "qvmrb1h"], { reject: false });
    for (const t of ["inet qvm_rb1", "ip qvmp_rbv1", "ip qvmp_rbv2"])
      await run("nft", ["delete", "table", ...t.split(" ")], { reject: false });
    fs.rmSync(agent.runDir, { recursive: true, force: true });
    await waitFor("the kernel to forget our objects", async () =>
      (await hostSnapshot(agent.stateDir)).every((o) => o.startsWith("file ")),
    );

    const c2 = await agent.start();
    const running = await waitFor(
      "both instances running with an address",
      async () => {
        const vs = await Promise.all(["rbv1", "rbv2"].map((id) => c2.getInstance(id)));
        return vs.every((v) => v.state === "running" && v.nics[0]?.ip) && vs;
      },
      180000,
      1000,
    );
    assert.deepEqual(
      running.map((v) => v.nics[0]!.ip),
      ips,
      "the same addresses as before the reboot",
    );
    assert.equal((await c2.getInstance("rbv3")).state, "stopped", "a stopped instance stays stopped");
    assert.deepEqual((await c2.getNetwork("rb1")).drift, []);
    assert.equal((await c2.getDnsForwarder("rb1")).address, "10.249.0.1");
    assert.deepEqual([...qemuOf(agent.stateDir).keys()].sort(), ["rbv1", "rbv2"]);
    assert.deepEqual(await hostSnapshot(agent.stateDir), upBefore, "the host as it was before the reboot");
  });
});
