// A host bridge with a veth "uplink" into a test LAN (a namespace running its own DHCP server):
// the uplink's address moves to the bridge and back, a VM on the bridge gets a LAN address from
// the LAN's DHCP server and qvmd finds it by ARP; adopted bridges are never deleted.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AgentError, type BridgeSpec } from "@pulumi-qemu/api";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { TestLan } from "../../helpers/lan";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const addrs = async (dev: string) =>
  (
    (
      JSON.parse((await run("ip", ["-j", "-4", "addr", "show", "dev", dev])).stdout) as Array<{
        addr_info: Array<{ local: string; prefixlen: number }>;
      }>
    )[0]?.addr_info ?? []
  ).map((a) => `${a.local}/${a.prefixlen}`);
const master = async (dev: string) =>
  (JSON.parse((await run("ip", ["-j", "link", "show", "dev", dev])).stdout) as Array<{ master?: string }>)[0]
    ?.master;
const ping = async (ip: string) =>
  (await run("busybox", ["ping", "-c", "1", "-W", "2", ip], { reject: false })).exitCode === 0;

describe("qvmd host bridges with a LAN uplink (real kernel and guest)", function () {
  this.timeout(300000);
  // The admin's config lets bridges use this test's LAN uplink and adopt its bridge, nothing else.
  const agent = new TestAgent({}, { config: { bridges: { uplinks: ["qvxup0"], adoptable: ["qvxadopt"] } } });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-br-"));
  const lan = new TestLan();
  const spec = (s: Partial<BridgeSpec>): BridgeSpec => ({ id: "b1", name: "qvbr0", uplink: "qvxup0", ...s });
  const expectError = expectAgentError;

  before(async () => {
    await lan.start();
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyImage(image);
    assert.ok(await ping("172.30.9.1"), "the LAN is reachable before the bridge");
  });
  after(async () => {
    await agent.stop();
    await lan.stop();
    await run("ip", ["link", "delete", "qvxadopt"], { reject: false });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses bad bridges, naming the property", async () => {
    await expectError(agent.client!.applyBridge(spec({ name: "br0" })), "BAD_NAME", "name");
    await expectError(
      agent.client!.applyBridge(spec({ name: "qvxnothere", adopt: true, uplink: "" })),
      "BRIDGE_MISSING",
      "name",
    );
    await expectError(agent.client!.applyBridge(spec({ uplink: "qvxnope" })), "UPLINK_MISSING", "uplink");
  });

  it("enslaves the uplink and moves its address to the bridge; the host keeps its LAN", async () => {
    const b = await agent.client!.applyBridge(spec({}));
    assert.deepEqual(b.addresses, ["172.30.9.2/24"]);
    assert.deepEqual(b.moved_addresses, ["172.30.9.2/24"]);
    assert.equal(await master("qvxup0"), "qvbr0");
    assert.deepEqual(await addrs("qvxup0"), []);
    assert.ok(await ping("172.30.9.1"), "the host still reaches the LAN, now through the bridge");
    const again = await agent.client!.applyBridge(spec({}));
    assert.deepEqual(again.addresses, ["172.30.9.2/24"], "applying again changes nothing");
  });

  it("a VM on the bridge gets its address from the LAN's DHCP server and qvmd finds it by ARP", async () => {
    const v = await agent.client!.applyInstance({
      id: "vb1",
      image_id: "direct",
      memory_mb: 256,
      nics: [{ bridge_id: "b1", mac: "52:54:00:30:09:01" }],
      running: true,
      wait_for_ip_seconds: 120,
    });
    const ip = v.nics[0]!.ip;
    assert.match(ip, /^172\.30\.9\.1[0-4]\d$|^172\.30\.9\.150$/);
    assert.equal(v.nics[0]!.source, "arp");
    assert.match(
      fs.readFileSync(lan.leaseFile, "utf8"),
      new RegExp(`52:54:00:30:09:01 ${ip.replace(/\./g, "\\.")}`),
      "the LAN's server leased it",
    );
    assert.ok(await ping(ip), "the host reaches the VM on the LAN");
    const inUse = await agent.client!.deleteBridge("b1").then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(
      inUse instanceof AgentError && inUse.code === "BRIDGE_IN_USE",
      "a bridge in use is not deleted",
    );
    await agent.client!.deleteInstance("vb1");
  });

  it("destroy moves the address back to the uplink and removes the bridge", async () => {
    assert.equal((await agent.client!.deleteBridge("b1")).existed, true);
    assert.deepEqual(await addrs("qvxup0"), ["172.30.9.2/24"]);
    assert.equal(await master("qvxup0"), undefined);
    assert.equal((await run("ip", ["link", "show", "qvbr0"], { reject: false })).exitCode, 1);
    assert.ok(await ping("172.30.9.1"), "the host reaches the LAN through the uplink again");
  });

  it("adopts an existing bridge and never deletes it", async () => {
    await run("ip", ["link", "add", "qvxadopt", "type", "bridge"]);
    await expectError(
      agent.client!.applyBridge(spec({ id: "b2", name: "qvxadopt", uplink: "" })),
      "BRIDGE_EXISTS",
      "name",
    );
    const b = await agent.client!.applyBridge(
      spec({ id: "b2", name: "qvxadopt", uplink: "", adopt: true, address: "10.251.0.1/24" }),
    );
    assert.deepEqual(b.addresses, ["10.251.0.1/24"]);
    await agent.client!.deleteBridge("b2");
    assert.equal(
      (await run("ip", ["link", "show", "qvxadopt"], { reject: false })).exitCode,
      0,
      "still there",
    );
    assert.deepEqual(await addrs("qvxadopt"), [], "only what qvmd added is gone");
    // An address the adopted bridge already had is the host's: deleting the Bridge keeps it, and
    // qvmd leaves the bridge's STP setting alone (finding 4).
    await run("ip", ["addr", "add", "10.251.0.1/24", "dev", "qvxadopt"]);
    await agent.client!.applyBridge(
      spec({ id: "b3", name: "qvxadopt", uplink: "", adopt: true, stp: true, address: "10.251.0.1/24" }),
    );
    const stp = () => fs.readFileSync("/sys/class/net/qvxadopt/bridge/stp_state", "utf8").trim();
    assert.equal(stp(), "0", "an adopted bridge's STP is the admin's");
    await agent.client!.deleteBridge("b3");
    assert.deepEqual(await addrs("qvxadopt"), ["10.251.0.1/24"], "a pre-existing address stays");
  });
});
