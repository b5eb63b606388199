// InstanceTemplate and its clones through a real qvmd and real guests: the template boots once
// with user-data until cloud-init finished, is saved (device state + memory file + frozen disk)
// and its VM goes away; clones are restored, not booted, each with its own MAC, lease and VM
// generation id, reachable when Apply returns; the template cannot go while clones use it.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { InstanceSpec } from "@pulumi-qemu/api";
import { QmpClient } from "../../../agent/src/qemu/qmp";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

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

async function generationId(qmpSocket: string): Promise<string> {
  const q = await QmpClient.connect(qmpSocket, { timeoutMs: 5000 });
  try {
    return (await q.execute<{ guid: string }>("query-vm-generation-id")).guid;
  } finally {
    q.close();
  }
}

describe("qvmd InstanceTemplate and clones (real QEMU guests)", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  const tplDir = () => path.join(agent.stateDir, "templates", "t1");
  const clone = (id: string, n: number, s: Partial<InstanceSpec> = {}): InstanceSpec => ({
    id,
    template_id: "t1",
    nics: [{ network_id: "qt1", mac: `52:54:00:4c:00:0${n}` }],
    hostname: id,
    running: true,
    wait_for_ip_seconds: 60,
    wait_for: "ssh",
    ...s,
  });

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyNetwork({ id: "qt1", cidr: "10.238.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(image);
  });
  after(() => agent.stop());

  it("builds the template: boots until cloud-init finished, saves, and its VM is gone", async () => {
    const progress: string[] = [];
    const t = await agent.client!.applyTemplate(
      {
        id: "t1",
        image_id: "direct",
        network_id: "qt1",
        memory_mb: 256,
        user_data: "#cloud-config\nruncmd:\n  - echo warm > /var/www/warm.txt\n",
        wait_for: "cloudInit",
        wait_seconds: 180,
      },
      (p) => progress.push(p.message),
    );
    assert.equal(t.state, "ready");
    assert.ok(Number(t.state_bytes) > 0 && Number(t.state_bytes) < 16 * 1024 ** 2, `state ${t.state_bytes}`);
    assert.ok(Number(t.memory_bytes) > 0, "the memory file holds the guest's RAM");
    assert.ok(
      progress.some((m) => m.startsWith("waiting for cloud-init")),
      progress.join("\n"),
    );
    assert.ok(
      progress.some((m) => m.includes("unplugging the NIC and saving")),
      progress.join("\n"),
    );
    for (const f of ["state", "memory", "disk.qcow2", "seed.iso"])
      assert.ok(fs.existsSync(path.join(tplDir(), f)), f);
    assert.equal(
      (await run("pgrep", ["-f", "qvm-tpl-t1"], { reject: false })).stdout,
      "",
      "no build VM left",
    );
    const again = await agent.client!.applyTemplate({
      id: "t1",
      image_id: "direct",
      network_id: "qt1",
      memory_mb: 256,
      user_data: "#cloud-config\nruncmd:\n  - echo warm > /var/www/warm.txt\n",
      wait_for: "cloudInit",
      wait_seconds: 180,
    });
    assert.equal(again.boot_ms, t.boot_ms, "the same spec again returns the saved template");
  });

  it("refuses clone inputs that belong to the template, and unknown templates", async () => {
    const c = agent.client!;
    await expectAgentError(
      c.applyInstance(clone("cx", 9, { user_data: "#!/bin/sh\n" })),
      "CLONE_FIXED",
      "userData",
    );
    await expectAgentError(
      c.applyInstance(clone("cx", 9, { template_id: "nope" })),
      "UNKNOWN_TEMPLATE",
      "templateId",
    );
    assert.ok(!fs.existsSync(path.join(agent.stateDir, "instances", "cx")));
  });

  it("restores two clones at once: own MACs, leases and generation ids, SSH up, template's user-data state", async () => {
    const progress: string[] = [];
    const [a, b] = await Promise.all([
      agent.client!.applyInstance(clone("c1", 1), (p) => progress.push(p.message)),
      agent.client!.applyInstance(clone("c2", 2)),
    ]);
    assert.ok(
      progress.some((m) => /^restored from template t1 in \d+ ms/.test(m)),
      progress.join("\n"),
    );
    const ips = [a!.nics[0]!.ip, b!.nics[0]!.ip];
    for (const ip of ips) assert.match(ip, /^10\.238\.0\.\d+$/);
    assert.notEqual(ips[0], ips[1]);
    assert.deepEqual([a!.nics[0]!.mac, b!.nics[0]!.mac], ["52:54:00:4c:00:01", "52:54:00:4c:00:02"]);
    // What runs is the template's guest: its image, memory and disk size are reported.
    for (const v of [a!, b!]) {
      assert.deepEqual([v.spec!.image_id, v.spec!.memory_mb, v.spec!.template_id], ["direct", 256, "t1"]);
      assert.ok(v.disk_gb >= 1, `disk_gb ${v.disk_gb}`);
    }
    for (const ip of ips) assert.equal(await get(ip, "/warm.txt"), "warm", "user-data ran in the template");
    for (const v of [a!, b!]) {
      const argv = fs.readFileSync(`/proc/${v.pid}/cmdline`, "utf8").split("\0");
      assert.ok(argv.includes("-incoming"), "restored, not booted");
      const serial = fs.readFileSync(v.serial_log, "utf8");
      assert.doesNotMatch(serial, /QVM-GUEST: seed/, "the clone never ran /init");
      assert.match(serial, /QVM-GUEST: nic added eth0/);
      assert.match(
        serial,
        new RegExp(`QVM-GUEST: hostname ${v.spec!.id}\\b`),
        "its own host name, from DHCP",
      );
      const info = JSON.parse(
        (
          await run("qemu-img", [
            "info",
            "-U",
            "--output=json",
            path.join(agent.stateDir, "instances", v.spec!.id, "disk.qcow2"),
          ])
        ).stdout,
      ) as { "backing-filename": string };
      assert.equal(
        info["backing-filename"],
        path.join(tplDir(), "disk.qcow2"),
        "a layer over the template's disk",
      );
    }
    const run_ = path.join(agent.runDir);
    const guids = await Promise.all(["c1", "c2"].map((id) => generationId(path.join(run_, `qvm-${id}.qmp`))));
    assert.notEqual(guids[0], guids[1], "each clone has its own VM generation id");
  });

  it("keeps the template while clones use it, then deletes everything of it", async () => {
    await expectAgentError(agent.client!.deleteTemplate("t1"), "TEMPLATE_IN_USE");
    assert.deepEqual((await agent.client!.getTemplate("t1")).users.sort(), ["c1", "c2"]);
    await agent.client!.deleteInstance("c1");
    await agent.client!.deleteInstance("c2");
    assert.equal((await agent.client!.deleteTemplate("t1")).existed, true);
    assert.ok(!fs.existsSync(tplDir()));
    await expectAgentError(agent.client!.getTemplate("t1"), "TEMPLATE_NOT_FOUND");
  });
});
