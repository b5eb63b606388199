// Corrupt state (issue 11, item 3) with a real qvmd: a truncated or garbled state file never stops
// qvmd for good and never deletes anything. With a last good copy it carries on from there and says
// what happened (Health, qvmctl status, its log); with none it refuses every call but Health
// rather than forget what it manages, and touches nothing, until a state file is put back.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AgentError } from "@pulumi-qemu/api";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../helpers/guest";
import { TestAgent } from "../helpers/agent";
import { hostSnapshot, qemuOf } from "../helpers/chaos";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

const QVMCTL = path.resolve(__dirname, "..", "..", "agent", "dist", "ctl", "main.js");

describe("chaos: a damaged state file", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  let stateFile: string;
  let up: string[];

  const qvmctl = (...args: string[]) =>
    run(process.execPath, [QVMCTL, "--socket", agent.socket, ...args], { reject: false });

  before(async () => {
    const g = await guestDir("x86_64");
    const c = await agent.start();
    stateFile = path.join(agent.stateDir, "state.json");
    await c.applyNetwork({ id: "sc1", cidr: "10.243.0.0/24", dhcp: { enabled: true } });
    await c.applyImage({
      id: "sci",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
    });
    await c.applyInstance({
      id: "scv",
      image_id: "sci",
      memory_mb: 128,
      nics: [{ network_id: "sc1", mac: "52:54:00:4c:00:01" }],
      running: true,
    });
    up = await hostSnapshot(agent.stateDir);
  });

  /** Set while both copies are damaged: a failed case puts it back so that stop() can clean up. */
  let restore: Buffer | undefined;

  after(async () => {
    if (restore) {
      await agent.kill("SIGKILL");
      fs.writeFileSync(stateFile, restore);
      fs.writeFileSync(path.join(agent.stateDir, "state.last-good.json"), restore);
      await agent.start();
    }
    await agent.stop();
  });

  for (const [what, damage] of [
    ["truncated", (b: Buffer) => b.subarray(0, Math.floor(b.length / 3))],
    ["garbled", (b: Buffer) => Buffer.from(b.map((x, i) => (i % 7 === 3 ? x ^ 0x5a : x)))],
  ] as const)
    it(`${what}: qvmd starts from the last good copy, says so, and the VM and network are untouched`, async () => {
      await agent.kill("SIGKILL");
      const pid = qemuOf(agent.stateDir).get("scv");
      fs.writeFileSync(stateFile, damage(fs.readFileSync(stateFile)));
      const c = await agent.start();
      const h = await c.health();
      assert.match(h.problems.join("\n"), /state\.json is unreadable/);
      assert.match(h.problems.join("\n"), /set aside as .*state\.json\.corrupt-/);
      assert.match(h.problems.join("\n"), /last good copy .* was loaded in its place/);
      assert.equal((await c.getInstance("scv")).pid, pid, "the same VM, adopted");
      assert.deepEqual((await c.getNetwork("sc1")).drift, []);
      assert.deepEqual(
        await hostSnapshot(agent.stateDir).then((s) => s.filter((o) => !o.includes("corrupt"))),
        up,
      );
      const status = await qvmctl("status");
      assert.equal(status.exitCode, 3, "qvmctl status exits 3 when qvmd reports problems");
      assert.match(status.stdout, /problems:\n {2}- .*state\.json is unreadable/);
      assert.match(fs.readFileSync(agent.logFile, "utf8"), /state\.json is unreadable/);
    });

  it("both copies damaged: qvmd stays up, refuses every call but Health, deletes nothing", async () => {
    await agent.kill("SIGKILL");
    const good = (restore = fs.readFileSync(stateFile));
    const lastGood = path.join(agent.stateDir, "state.last-good.json");
    fs.writeFileSync(stateFile, "{");
    fs.writeFileSync(lastGood, "}");
    const c = await agent.start();
    assert.match((await c.health()).problems.join("\n"), /refuses every call but Health/);
    for (const call of [
      () => c.getInstance("scv"),
      () => c.getNetwork("sc1"),
      () => c.listNetworks(),
      () => c.deleteInstance("scv"),
      () => c.applyNetwork({ id: "sc2", cidr: "10.243.1.0/24" }),
    ]) {
      const e = await call().catch((x: unknown) => x);
      assert.ok(e instanceof AgentError, String(e));
      assert.equal(e.code, "STATE_CORRUPT", "never NOT_FOUND: unknown is not absent");
      assert.equal(e.unknownOutcome, false);
    }
    assert.deepEqual(
      await hostSnapshot(agent.stateDir).then((s) => s.filter((o) => !o.includes("corrupt"))),
      up,
      "nothing was deleted",
    );
    assert.equal(fs.readFileSync(stateFile, "utf8"), "{", "the damaged file is where it was");
    // The admin puts a state back; qvmd carries on.
    await agent.kill("SIGTERM");
    fs.writeFileSync(stateFile, good);
    restore = undefined;
    const c2 = await agent.start();
    assert.deepEqual((await c2.health()).problems, []);
    assert.equal((await c2.getInstance("scv")).state, "running");
  });
});
