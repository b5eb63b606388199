// qvmctl against a real qvmd: issue 11's stuck stack, undone by hand. An instance no stack knows
// (an orphan of a lost create) holds a MAC and keeps its network from being deleted; `qvmctl list`
// shows it with its state, pid, address and owner, and `qvmctl delete instance <id>` frees both.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const QVMCTL = path.resolve(__dirname, "..", "..", "..", "agent", "dist", "ctl", "main.js");

describe("qvmctl (the admin command)", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const qvmctl = (...args: string[]) =>
    run(process.execPath, [QVMCTL, "--socket", agent.socket, ...args], { reject: false });

  before(async () => {
    const c = await agent.start();
    await c.applyNetwork({ id: "ctl1", cidr: "10.242.0.0/24", dhcp: { enabled: true } });
    await c.applyImage(await guestImage("ctli"));
    await c.applyInstance({
      id: "a1e07e1e",
      image_id: "ctli",
      memory_mb: 128,
      nics: [{ network_id: "ctl1", mac: "52:54:00:4d:00:01" }],
      running: true,
      wait_for_ip_seconds: 100,
      owner: "urn:pulumi:dev::quickstart::qemu:index:Instance::web",
    });
  });

  after(() => agent.stop());

  it("status: version, pid and state directory; no problems", async () => {
    const r = await qvmctl("status");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^qvmd \\S+, pid ${agent.proc!.pid}, state in ${agent.stateDir}\\nno problems$`),
    );
  });

  it("list: every kind, with the instance's state, pid, address and owner", async () => {
    const r = await qvmctl("list");
    assert.equal(r.exitCode, 0, r.stderr);
    const pid = (await agent.client!.getInstance("a1e07e1e")).pid;
    assert.match(r.stdout, /^NETWORKS\nID\s+CIDR.*\nctl1\s+10\.242\.0\.0\/24\s+10\.242\.0\.1\s+qvm-ctl1\s/m);
    assert.match(
      r.stdout,
      new RegExp(
        `^a1e07e1e\\s+running\\s+${pid}\\s+10\\.242\\.0\\.\\d+\\s+ctl1\\s+ctli\\s+1\\s+128M\\s+urn:pulumi:dev::quickstart::qemu:index:Instance::web$`,
        "m",
      ),
    );
    assert.match(r.stdout, /^IMAGES\n.*\nctli\s+qcow2\s/m);
    assert.match(r.stdout, /^DNS FORWARDERS\n\(none\)$/m);
    assert.match(r.stdout, /^BRIDGES\n\(none\)$/m);
    const json = await qvmctl("--json", "list", "instances");
    assert.equal(JSON.parse(json.stdout).instances[0].spec.id, "a1e07e1e");
  });

  it("get: one object in full", async () => {
    const r = await qvmctl("get", "network", "ctl1");
    assert.equal(JSON.parse(r.stdout).namespace, "qvm-ctl1");
    const missing = await qvmctl("get", "instance", "nothere");
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /^qvmctl: INSTANCE_NOT_FOUND: /);
  });

  it("delete: the orphan goes, and with it what it blocked", async () => {
    const c = agent.client!;
    await expectAgentError(c.deleteNetwork("ctl1"), "NET_IN_USE");
    await expectAgentError(
      c.applyInstance({
        id: "b2",
        image_id: "ctli",
        memory_mb: 128,
        nics: [{ network_id: "ctl1", mac: "52:54:00:4d:00:01" }],
      }),
      "DUPLICATE_MAC",
    );
    const r = await qvmctl("delete", "instance", "a1e07e1e");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, "deleted instance a1e07e1e");
    assert.equal((await qvmctl("delete", "instance", "a1e07e1e")).stdout, "instance a1e07e1e did not exist");
    assert.equal((await qvmctl("delete", "net", "ctl1")).stdout, "deleted network ctl1");
    assert.match((await qvmctl("list", "instances")).stdout, /^INSTANCES\n\(none\)$/);
  });

  it("says how to use it", async () => {
    const r = await qvmctl("frobnicate");
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /unknown command "frobnicate"\nusage: qvmctl/);
    const k = await qvmctl("delete", "volume", "x");
    assert.match(k.stderr, /unknown kind "volume"/);
  });
});
