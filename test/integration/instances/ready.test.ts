// "Ready means ready" through a real qvmd and a real guest: waitFor ip returns at the lease (the
// user-data is still running), cloudInit returns once it has finished (same VM, no restart), ssh
// once port 22 answers; a user-data that never finishes fails naming waitFor and quoting the
// serial log; progress names each phase.
import * as assert from "node:assert/strict";
import * as http from "node:http";
import * as net from "node:net";
import type { InstanceSpec } from "@pulumi-qemu/api";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

/** GET http://ip/path from the host: the body, or the status code when it is not 200. */
function get(ip: string, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, path: p, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function banner(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: ip, port: 22 });
    s.setTimeout(5000, () => s.destroy(new Error("timeout")));
    s.once("data", (d: Buffer) => {
      s.destroy();
      resolve(d.toString());
    });
    s.on("error", reject);
  });
}

describe("qvmd instances: waitFor ip | cloudInit | ssh (real QEMU guests)", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  // The last runcmd writes a page the guest's httpd serves: present only once user-data is done.
  const userData = "#cloud-config\nruncmd:\n  - sleep 8\n  - echo finished > /var/www/ready.txt\n";
  const spec = (s: Partial<InstanceSpec>): InstanceSpec => ({
    id: "r1",
    image_id: "direct",
    memory_mb: 256,
    nics: [{ network_id: "qr1", mac: "52:54:00:47:00:01", ip: "10.239.0.30" }],
    user_data: userData,
    running: true,
    wait_for_ip_seconds: 120,
    ...s,
  });

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyNetwork({ id: "qr1", cidr: "10.239.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(image);
  });
  after(() => agent.stop());

  it("refuses an unknown waitFor, naming the property", async () => {
    await expectAgentError(
      agent.client!.applyInstance(spec({ wait_for: "soon" })),
      "BAD_WAIT_FOR",
      "waitFor",
    );
  });

  it("ip returns at the lease while user-data still runs; cloudInit then waits for it, without a restart", async () => {
    const progress: string[] = [];
    const v = await agent.client!.applyInstance(spec({ wait_for: "ip" }), (p) => progress.push(p.message));
    assert.equal(v.nics[0]!.ip, "10.239.0.30");
    assert.ok(
      progress.some((m) => m.startsWith("booting")),
      progress.join("\n"),
    );
    assert.ok(
      progress.some((m) => m.startsWith("address 10.239.0.30")),
      progress.join("\n"),
    );
    assert.equal(await get("10.239.0.30", "/ready.txt"), "HTTP 404", "user-data has not finished yet");

    const later: string[] = [];
    const w = await agent.client!.applyInstance(spec({ wait_for: "cloudInit" }), (p) =>
      later.push(p.message),
    );
    assert.equal(w.pid, v.pid, "changing waitFor does not restart the VM");
    assert.equal(await get("10.239.0.30", "/ready.txt"), "finished");
    assert.ok(
      later.some((m) => m.startsWith("waiting for cloud-init")),
      later.join("\n"),
    );
    assert.ok(
      later.some((m) => m.startsWith("ready (cloudInit)")),
      later.join("\n"),
    );
  });

  it("ssh returns once port 22 answers with a banner", async () => {
    const progress: string[] = [];
    await agent.client!.applyInstance(spec({ wait_for: "ssh" }), (p) => progress.push(p.message));
    assert.ok(
      progress.some((m) => m === "waiting for SSH on 10.239.0.30:22"),
      progress.join("\n"),
    );
    assert.match(await banner("10.239.0.30"), /^SSH-2\.0-dropbear/);
  });

  it("cloudInit fails when user-data never finishes, naming waitFor and quoting the serial log", async () => {
    const e = await expectAgentError(
      agent.client!.applyInstance(
        spec({
          id: "r2",
          nics: [{ network_id: "qr1", mac: "52:54:00:47:00:02" }],
          user_data: "#cloud-config\nruncmd:\n  - sleep 600\n",
          wait_for: "cloudInit",
          wait_for_ip_seconds: 25,
        }),
      ),
      "INSTANCE_NOT_READY",
      "waitFor",
    );
    assert.match(
      e.message,
      /not ready \(waitFor cloudInit\).*within 25s \(the VM is running\); serial log tail:/,
    );
    assert.match(e.message, /QVM-GUEST: ip 10\.239\.0\.\d+/, "the tail shows how far the guest got");
    assert.doesNotMatch(e.message, /Cloud-init v\. \S+ finished/);
    assert.equal((await agent.client!.deleteInstance("r2")).existed, true);
  });
});
