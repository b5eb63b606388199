// examples/ci-fleet through the real Pulumi CLI: one InstanceTemplate, three clones restored from
// it. When `up` returns every clone answers SSH, has its own MAC and address, finds the others by
// name through the DNS forwarder and shows the template's provisioning; destroy leaves nothing.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../helpers/guest";
import { openStack, outputsJson } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { useLeakCheck } from "../helpers/leaks";
import { ssh as sshAs } from "../helpers/ssh";

useLeakCheck();

interface Out {
  template: { id: string; stateBytes: number; bootMs: number };
  clones: { name: string; ip: string[]; mac: string[] }[];
}

describe("examples/ci-fleet with the Pulumi CLI: a template and its clones", function () {
  this.timeout(900000);
  const agent = new TestAgent();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-fleet-"));
  const key = path.join(dir, "id_ed25519");
  let stack: Stack;
  let out: Out;

  before(async () => {
    const guest = await guestDir("x86_64");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await agent.start();
    stack = await openStack({
      example: "ci-fleet",
      stackName: "e2e",
      stateDir: dir,
      env: { QVMD_SOCKET: agent.socket, QEMU_GUEST_DIR: guest },
    });
    await stack.setConfig("cidr", { value: "10.237.0.0/24" });
    await stack.setConfig("clones", { value: "3" });
    await stack.setConfig("sshPublicKey", { value: fs.readFileSync(`${key}.pub`, "utf8").trim() });
  });

  after(async () => {
    if (stack) await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pulumi up: three clones with distinct MACs and addresses, SSH up when it returns", async () => {
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    out = (await outputsJson(stack)) as unknown as Out;
    assert.ok(out.template.stateBytes > 0);
    const ips = out.clones.map((c) => c.ip[0]!);
    const macs = out.clones.map((c) => c.mac[0]!);
    assert.equal(new Set(ips).size, 3, ips.join(" "));
    assert.equal(new Set(macs).size, 3, macs.join(" "));
    for (const ip of ips) assert.match(ip, /^10\.237\.0\.\d+$/);
    // Straight after `up`, no retries: ready means SSH answers.
    const r = await sshAs(key, ips[0]!, "cat /var/www/provisioned.txt", 5);
    assert.equal(r.stdout.trim(), "provisioned", r.stderr);
  });

  it("clones resolve each other by name", async () => {
    const [a, b, c] = out.clones;
    const r = await sshAs(
      key,
      a!.ip[0]!,
      `nslookup ${b!.name}.ci.internal && nslookup ${c!.name}.ci.internal`,
      5,
    );
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(b!.ip[0]!) && r.stdout.includes(c!.ip[0]!), r.stdout);
  });

  it("pulumi destroy leaves nothing of the template or the clones", async () => {
    const d = await stack.destroy();
    assert.equal(d.summary.result, "succeeded");
    const st = JSON.parse(fs.readFileSync(path.join(agent.stateDir, "state.json"), "utf8")) as {
      instances: object;
      templates: object;
    };
    assert.deepEqual([Object.keys(st.instances), Object.keys(st.templates)], [[], []]);
    assert.deepEqual(fs.readdirSync(path.join(agent.stateDir, "templates")), []);
  });
});
