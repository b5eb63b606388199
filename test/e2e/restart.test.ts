// kill -9 of qvmd, then `pulumi up` again, with no manual step, where the provider starts qvmd
// itself (root, from the checkout, no service installed). The dead qvmd's socket file stays behind
// and refuses connections: the provider must take that as "no qvmd" and start one, which replaces
// the stale socket. (The service side, where systemd restarts qvmd and the provider waits, is in
// install.test.ts.)
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { probeSocket } from "../../api/src/socket";
import { run } from "../../agent/src/util/exec";
import { UNIT_FILES } from "../../provider/src/agent";
import { openStack, outputsJson } from "../helpers/workspace";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

describe("qvmd killed with -9: the next pulumi up starts a new one (provider-started qvmd)", function () {
  this.timeout(300000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-restart-"));
  // qvmd's state directory is under it: QEMU and dnsmasq (their own users) must be able to enter.
  fs.chmodSync(dir, 0o711);
  const socket = path.join(dir, "run", "qvmd.sock");
  const env = {
    QVMD_SOCKET: socket,
    QVMD_STATE_DIR: path.join(dir, "state"),
    QVMD_RUN_DIR: path.join(dir, "run"),
  };
  let stack: Stack;

  /** Pids of the qvmd processes serving our private socket (the provider starts them detached). */
  const qvmdPids = async (): Promise<number[]> => {
    const r = await run("pgrep", ["-f", `main\\.js --socket ${socket}`], { reject: false });
    return r.stdout.split("\n").filter(Boolean).map(Number);
  };

  before(async () => {
    const unit = UNIT_FILES.find((f) => fs.existsSync(f));
    assert.equal(unit, undefined, `a qvmd service is installed (${unit}): the provider would wait for it`);
    stack = await openStack({ example: "network", stackName: "restart", stateDir: dir, env });
    await stack.setConfig("cidr", { value: "10.243.0.0/24" });
    await stack.setConfig("reservations", { value: "[]" });
  });

  after(async () => {
    if (stack) await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    for (const pid of await qvmdPids()) process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && (await qvmdPids()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pulumi up starts qvmd when none runs", async () => {
    assert.equal(await probeSocket(socket), "missing");
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal((await qvmdPids()).length, 1);
    assert.equal(await probeSocket(socket), "answers");
  });

  it("after kill -9 the socket stays and refuses; pulumi up replaces it and keeps the network", async () => {
    const before = await outputsJson(stack);
    const [pid] = await qvmdPids();
    process.kill(pid!, "SIGKILL");
    for (let i = 0; i < 50 && (await qvmdPids()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await qvmdPids(), []);
    assert.ok(fs.lstatSync(socket).isSocket(), "kill -9 leaves the socket file");
    assert.equal(await probeSocket(socket), "refused");

    // --refresh reads every resource back from qvmd, so the provider must reach a live one.
    const up = await stack.up({ refresh: true });
    assert.equal(up.summary.result, "succeeded");
    const pids = await qvmdPids();
    assert.equal(pids.length, 1);
    assert.notEqual(pids[0], pid);
    assert.match(fs.readFileSync(path.join(dir, "run", "qvmd.log"), "utf8"), /replacing the stale socket/);
    assert.deepEqual(await outputsJson(stack), before);
    const ns = await run("ip", ["netns", "list"]);
    assert.match(ns.stdout, new RegExp(`^${String(before.namespace)}\\b`, "m"));
  });
});
