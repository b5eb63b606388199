// A clone of an InstanceTemplate with a NIC on a host bridge is fenced as a booted instance is: the
// root namespace's guest fence has the clone's TAP, pinned to its MAC, by the time Apply returns.
// (A clone's TAP once joined its bridge with no fence at all when it was the only guest there.)
import * as assert from "node:assert/strict";
import { names } from "../../../agent/src/constants";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const MAC = "52:54:00:4c:09:01";

describe("qvmd clone on a host bridge (real kernel, real QEMU guests)", function () {
  this.timeout(600000);
  const agent = new TestAgent();

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyNetwork({ id: "qf1", cidr: "10.239.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(image);
    await c.applyBridge({ id: "b1", name: "qvbrf1" });
    await c.applyTemplate({
      id: "t1",
      image_id: "direct",
      network_id: "qf1",
      memory_mb: 256,
      wait_for: "cloudInit",
      wait_seconds: 180,
    });
  });
  after(() => agent.stop());

  it("puts the clone's TAP behind the host fence, pinned to its MAC, before Apply returns", async () => {
    assert.equal(
      (await run("nft", ["list", "table", "bridge", names.fenceTable], { reject: false })).exitCode,
      1,
      "no guest on a host bridge yet: no host fence",
    );
    const v = await agent.client!.applyInstance({
      id: "cf1",
      template_id: "t1",
      nics: [{ bridge_id: "b1", mac: MAC }],
      running: true,
      wait_for_ip_seconds: 0,
    });
    assert.equal(v.state, "running");
    const ports = JSON.parse((await run("ip", ["-j", "link", "show", "master", "qvbrf1"])).stdout) as Array<{
      ifname: string;
    }>;
    const taps = ports.map((p) => p.ifname).filter((n) => n.startsWith("qvt"));
    assert.equal(taps.length, 1, `the clone's TAP is on the bridge: ${JSON.stringify(ports)}`);
    const fence = (await run("nft", ["list", "table", "bridge", names.fenceTable])).stdout;
    assert.match(fence, new RegExp(`"${taps[0]}" : jump ${taps[0]}`), fence);
    assert.match(fence, new RegExp(`chain ${taps[0]} \\{\\s*ether saddr != ${MAC} drop`), fence);

    await agent.client!.deleteInstance("cf1");
    assert.equal(
      (await run("nft", ["list", "table", "bridge", names.fenceTable], { reject: false })).exitCode,
      1,
      "the last guest on a host bridge gone: the host fence is removed",
    );
    await agent.client!.deleteTemplate("t1");
    await agent.client!.deleteBridge("b1");
    await agent.client!.deleteNetwork("qf1");
  });
});
