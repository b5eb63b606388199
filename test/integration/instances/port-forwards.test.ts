// Port forwards into a real guest (busybox httpd on port 80): reachable from another host and from
// the host itself, changed in place, refused when taken by another instance or a host process.
import * as assert from "node:assert/strict";
import * as net from "node:net";
import { type InstanceSpec } from "@pulumi-qemu/api";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { OutsideHost } from "../../helpers/hosts";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("qvmd port forwards (real guest)", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const outside = new OutsideHost();
  const spec = (s: Partial<InstanceSpec>): InstanceSpec => ({
    id: "pf1",
    image_id: "direct",
    memory_mb: 256,
    hostname: "pf1",
    nics: [{ network_id: "qp1", mac: "52:54:00:49:00:01" }],
    running: true,
    wait_for_ip_seconds: 120,
    port_forwards: [{ host_port: 18080, guest_port: 80 }],
    ...s,
  });
  /** HTTP GET through the forward (busybox nc), from the outside host's namespace or the host itself. */
  const get = async (from: "outside" | "host", port: number) => {
    const nc = ["busybox", "nc", "-w", "3", outside.hostSide, String(port)];
    const argv = from === "outside" ? ["ip", "netns", "exec", outside.ns, ...nc] : nc;
    const r = await run(argv[0]!, argv.slice(1), {
      reject: false,
      timeoutMs: 10000,
      input: "GET / HTTP/1.0\r\n\r\n",
    });
    return r.exitCode === 0 && r.stdout.includes("200 OK") ? r.stdout : undefined;
  };
  const expectError = expectAgentError;

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await outside.start();
    await c.applyNetwork({ id: "qp1", cidr: "10.249.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(image);
  });
  after(async () => {
    await outside.stop();
    await agent.stop();
  });

  it("forwards a host port to the guest's port 80, from another host and from the host itself", async () => {
    await agent.client!.applyInstance(spec({}));
    assert.match((await get("outside", 18080)) ?? "", /qvm-guest pf1/);
    assert.match((await get("host", 18080)) ?? "", /qvm-guest pf1/);
  });

  it("changes the port in place: no restart, the old port closes, the new one opens", async () => {
    const pid = (await agent.client!.getInstance("pf1")).pid;
    const v = await agent.client!.applyInstance(
      spec({ port_forwards: [{ host_port: 18081, guest_port: 80 }] }),
    );
    assert.equal(v.pid, pid);
    assert.equal(await get("outside", 18080), undefined);
    assert.match((await get("outside", 18081)) ?? "", /qvm-guest pf1/);
  });

  it("refuses a port another instance forwards, and one a host process listens on (naming it)", async () => {
    await expectError(
      agent.client!.applyInstance(
        spec({
          id: "pf2",
          nics: [{ network_id: "qp1", mac: "52:54:00:49:00:02" }],
          port_forwards: [{ host_port: 18081, guest_port: 22 }],
        }),
      ),
      "PORT_FORWARDED",
      "portForwards[0].hostPort",
    );
    const server = net.createServer().listen(18082, "0.0.0.0");
    await new Promise((r) => server.once("listening", r));
    try {
      const e = await expectError(
        agent.client!.applyInstance(
          spec({
            id: "pf2",
            nics: [{ network_id: "qp1", mac: "52:54:00:49:00:02" }],
            port_forwards: [{ host_port: 18082, guest_port: 22 }],
          }),
        ),
        "PORT_IN_USE",
        "portForwards[0].hostPort",
      );
      assert.match(e.message, /tcp port 18082 is already listened on by node \(pid \d+\)/);
      const { violations } = await agent.client!.checkInstance(
        spec({ id: "pf3", port_forwards: [{ host_port: 18082, guest_port: 80 }] }),
      );
      assert.deepEqual(
        violations.map((v) => v.code),
        ["DUPLICATE_MAC", "PORT_IN_USE"],
      );
    } finally {
      server.close();
    }
  });

  it("removes the forward with the instance", async () => {
    await agent.client!.deleteInstance("pf1");
    const t = await run("nft", ["list", "table", "ip", "qvmp_pf1"], { reject: false });
    assert.notEqual(t.exitCode, 0);
    assert.equal(await get("outside", 18081), undefined);
  });
});
