// The attacker suite, host networking (findings 3 and 4): a real unprivileged user in qvmd's group
// tries to capture traffic the host sends elsewhere, privileged ports, another network's veth, an
// existing NIC or bridge, and public or overlapping address ranges. Each is refused naming the
// property, and the host is unchanged. The user's own network and forward still work.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../../agent/src/util/exec";
import { TestAgent } from "../../helpers/agent";
import { assertHostUnchanged, hostSnapshot } from "../../helpers/host-snapshot";
import { useLeakCheck } from "../../helpers/leaks";
import { type CallResult, UnprivilegedUser } from "../../helpers/users";

useLeakCheck();

function expectRefused(r: CallResult, code: string, property: string): void {
  assert.equal(r.ok, false, `expected ${code}, but the call succeeded: ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.error.code, code, r.error.message);
  assert.equal(r.error.property, property, r.error.message);
}

const ok = <T>(r: CallResult): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as T;
};

describe("attacker: host networking stays the admin's (findings 3, 4)", function () {
  this.timeout(300000);
  let user: UnprivilegedUser;
  let agent: TestAgent;
  let defaultDev: string;

  before(async () => {
    user = await UnprivilegedUser.create();
    agent = new TestAgent({}, { socketGroup: String(await user.socketGid()) });
    await agent.start();
    // A network of root's (its veth is the "victim"), the user's own network, image and instance.
    await agent.client!.applyNetwork({
      id: "victim",
      cidr: "10.232.1.0/24",
      dhcp: { enabled: true },
      nat: true,
    });
    ok(
      await user.call(agent.socket, "applyNetwork", {
        id: "mine",
        cidr: "10.232.2.0/24",
        dhcp: { enabled: true },
        nat: true,
      }),
    );
    const disk = path.join(user.home, "disk.raw");
    fs.writeFileSync(disk, Buffer.alloc(1024 * 1024));
    fs.chownSync(disk, user.uid, user.gid);
    ok(await user.call(agent.socket, "applyImage", { id: "img", source: `file://${disk}` }));
    await run("ip", ["link", "add", "qvxdock0", "type", "bridge"]);
    const routes = JSON.parse((await run("ip", ["-j", "-4", "route", "show", "default"])).stdout) as Array<{
      dev: string;
    }>;
    defaultDev = routes[0]?.dev ?? "eth0";
  });
  after(async () => {
    await run("ip", ["link", "delete", "qvxdock0"], { reject: false });
    await agent?.stop();
    await user?.remove();
  });

  async function attack(what: string, method: string, ...args: unknown[]): Promise<CallResult> {
    const before = await hostSnapshot(agent.stateDir);
    const r = await user.call(agent.socket, method, ...args);
    assertHostUnchanged(before, await hostSnapshot(agent.stateDir), what);
    return r;
  }

  const vm = (forward: object) => ({
    id: "vm1",
    image_id: "img",
    running: false,
    nics: [{ network_id: "mine", mac: "52:54:00:32:02:01" }],
    port_forwards: [forward],
  });

  it("refuses forwards that would capture traffic for other hosts or privileged ports (finding 3)", async () => {
    for (const method of ["checkInstance", "applyInstance"]) {
      const r = await attack(
        `${method} 8.8.8.8:53`,
        method,
        vm({ host_port: 53, guest_port: 53, protocol: "udp", host_address: "8.8.8.8" }),
      );
      if (method === "checkInstance") {
        const v = ok<{ violations: Array<{ code: string; property: string }> }>(r).violations;
        assert.deepEqual(v.map((x) => [x.code, x.property]).sort(), [
          ["ADDRESS_NOT_LOCAL", "portForwards[0].hostAddress"],
          ["PORT_NOT_ALLOWED", "portForwards[0].hostPort"],
        ]);
      } else expectRefused(r, "PORT_NOT_ALLOWED", "portForwards[0].hostPort");
    }
    expectRefused(
      await attack("port 22", "applyInstance", vm({ host_port: 22, guest_port: 22 })),
      "PORT_NOT_ALLOWED",
      "portForwards[0].hostPort",
    );
    expectRefused(
      await attack(
        "8.8.8.8:18053",
        "applyInstance",
        vm({ host_port: 18053, guest_port: 53, host_address: "8.8.8.8" }),
      ),
      "ADDRESS_NOT_LOCAL",
      "portForwards[0].hostAddress",
    );
    expectRefused(
      await attack(
        "127.0.0.1:18053",
        "applyInstance",
        vm({ host_port: 18053, guest_port: 53, host_address: "127.0.0.1" }),
      ),
      "ADDRESS_NOT_LOCAL",
      "portForwards[0].hostAddress",
    );
  });

  it("forwards a high port on the host's own address, and only for traffic to the host", async () => {
    const r = ok<{ spec: { id: string } }>(
      await user.call(
        agent.socket,
        "applyInstance",
        vm({ host_port: 18090, guest_port: 80, host_address: "10.232.2.1" }),
      ),
    );
    assert.equal(r.spec.id, "vm1");
    ok(await user.call(agent.socket, "deleteInstance", "vm1"));
  });

  it("refuses enslaving another network's veth, an existing NIC, or adopting a host bridge (finding 4)", async () => {
    const b = { id: "b1", name: "qvbr9" };
    expectRefused(
      await attack("uplink = victim's veth", "applyBridge", { ...b, uplink: "qvmvictimh" }),
      "BAD_UPLINK",
      "uplink",
    );
    expectRefused(
      await attack(`uplink = ${defaultDev}`, "applyBridge", { ...b, uplink: defaultDev }),
      "UPLINK_NOT_ALLOWED",
      "uplink",
    );
    expectRefused(
      await attack("adopt a host bridge", "applyBridge", { id: "b1", name: "qvxdock0", adopt: true }),
      "BRIDGE_NOT_ALLOWED",
      "name",
    );
  });

  it("refuses DNS forwarder files nobody may read, FIFOs, devices and /proc at Apply (finding 8)", async () => {
    const fifo = path.join(user.home, "hosts.fifo");
    await run("mkfifo", [fifo]);
    fs.chownSync(fifo, user.uid, user.gid);
    const cases: Array<[string, string]> = [
      ["hosts_file", "/etc/shadow"],
      ["hosts_file", "/proc/kmsg"],
      ["hosts_file", "/dev/zero"],
      ["hosts_file", fifo],
      ["resolv_conf", "/etc/shadow"],
    ];
    for (const [field, file] of cases) {
      const t = Date.now();
      expectRefused(
        await attack(`${field} ${file}`, "applyDnsForwarder", {
          id: "dns1",
          network_id: "mine",
          [field]: file,
        }),
        "DNS_BAD_PATH",
        field === "hosts_file" ? "hostsFile" : "resolvConf",
      );
      assert.ok(Date.now() - t < 10000, "answered at once");
    }
    // A world-readable file works.
    ok(
      await user.call(agent.socket, "applyDnsForwarder", {
        id: "dns1",
        network_id: "mine",
        hosts_file: "/etc/hosts",
      }),
    );
    ok(await user.call(agent.socket, "deleteDnsForwarder", "dns1"));
  });

  it("refuses bridge addresses outside private ranges or over other networks and routes (finding 4)", async () => {
    const b = { id: "b1", name: "qvbr9" };
    expectRefused(
      await attack("8.8.8.1/24", "applyBridge", { ...b, address: "8.8.8.1/24" }),
      "ADDRESS_NOT_ALLOWED",
      "address",
    );
    expectRefused(
      await attack("over a network", "applyBridge", { ...b, address: "10.232.1.77/24" }),
      "NET_OVERLAP",
      "address",
    );
    // A private bridge of the user's own, on a free range, is fine (and goes cleanly).
    ok(await user.call(agent.socket, "applyBridge", { ...b, address: "10.232.9.1/24" }));
    ok(await user.call(agent.socket, "deleteBridge", "b1"));
  });
});
