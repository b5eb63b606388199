// Issue 11's report, as a test: the quick start through the real Pulumi CLI while qvmd (or the CLI
// itself) is killed with SIGKILL while both Instances are being created. Each case must converge:
// the VMs qvmd started are the ones the stack ends up with (no duplicate, no orphan, no
// DUPLICATE_MAC), and `destroy` leaves nothing.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { guestDir } from "../helpers/guest";
import { openStack, outputsJson } from "../helpers/workspace";
import { nxdomain, startFake, type Fake } from "../integration/dns/fakes";
import { TestAgent } from "../helpers/agent";
import { processes, qemuOf, readState, sleep, waitFor } from "../helpers/chaos";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

interface Vm {
  id: string;
  ipAddresses: string[];
}

describe("chaos: the quick start survives SIGKILL of qvmd or of the Pulumi CLI mid-create", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-chaos-"));
  let stack: Stack;
  let fake: Fake;

  /** Both guests' QEMU processes exist: qvmd has recorded both Instances and is booting them. */
  const bothStarted = () =>
    waitFor("both VMs' QEMU", () => qemuOf(agent.stateDir).size === 2 && qemuOf(agent.stateDir));

  /** The stack's Instances (id, whether the engine recorded an init error) from its state. */
  async function instancesInStack(): Promise<Array<{ id: string; initErrors: boolean }>> {
    const { resources } = (await stack.exportStack()).deployment as {
      resources: Array<{ type: string; id?: string; initErrors?: string[] }>;
    };
    return resources
      .filter((r) => r.type === "qemu:index:Instance")
      .map((r) => ({ id: r.id ?? "", initErrors: (r.initErrors ?? []).length > 0 }));
  }

  /**
   * What converged means: qvmd has exactly the stack's two VMs, the ones it was booting when the
   * kill came (same ids: none lost, none made twice), each with one QEMU. A VM whose start the
   * kill cut short (between its launch and its last step) is started again, so its pid may differ.
   */
  async function assertConverged(booting: Map<string, number>): Promise<void> {
    const ids = (await instancesInStack()).map((i) => i.id).sort();
    assert.deepEqual(ids, [...booting.keys()].sort(), "the stack's VMs are the ones qvmd was booting");
    assert.deepEqual(Object.keys(readState(agent.stateDir).instances).sort(), ids, "qvmd's = the stack's");
    assert.deepEqual([...qemuOf(agent.stateDir).keys()].sort(), ids, "one QEMU each, no other");
    const out = (await outputsJson(stack)) as { web: Vm; db: Vm };
    assert.match(out.web.ipAddresses[0] ?? "", /^10\.245\.0\.\d+$/);
    assert.equal(out.db.ipAddresses[0], "10.245.0.20");
  }

  before(async () => {
    const guest = await guestDir("x86_64");
    await agent.start();
    fake = await startFake("127.0.0.1", nxdomain);
    stack = await openStack({
      example: "quickstart",
      stackName: "chaos",
      stateDir: dir,
      env: { QVMD_SOCKET: agent.socket, QEMU_GUEST_DIR: guest },
    });
    await stack.setConfig("cidr", { value: "10.245.0.0/24" });
    await stack.setConfig("dnsUpstreams", { value: JSON.stringify([fake.server]) });
  });

  after(async () => {
    if (!agent.running) await agent.start();
    if (stack) {
      await stack.cancel().catch(() => undefined);
      await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    }
    await agent.stop();
    await fake?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("qvmd killed while both Instances are created, restarted 1 s later: the same `up` converges", async () => {
    const up = stack.up();
    const pids = await bothStarted();
    await agent.kill("SIGKILL");
    await sleep(1000); // systemd's RestartSec=1
    await agent.start();
    assert.equal((await up).summary.result, "succeeded");
    await assertConverged(pids);
    const preview = await stack.preview();
    assert.deepEqual(Object.keys(preview.changeSummary), ["same"], JSON.stringify(preview.changeSummary));
  });

  it("qvmd down for longer than the provider waits: the creates are recorded, the next `up` converges", async () => {
    assert.equal((await stack.destroy()).summary.result, "succeeded");
    const ws = stack.workspace as LocalWorkspace;
    ws.envVars.QVMD_RESTART_WAIT_SECONDS = "2";
    try {
      const up = stack.up().then(
        () => new Error("up succeeded"),
        (e: unknown) => e as Error,
      );
      const pids = await bothStarted();
      await agent.kill("SIGKILL");
      const failed = await up;
      assert.match(failed.message, /outcome is unknown: the resource is recorded with id [0-9a-f]{8}/);
      const recorded = await instancesInStack();
      assert.deepEqual(
        recorded.map((i) => i.id).sort(),
        [...pids.keys()].sort(),
        "the engine knows both VMs",
      );
      assert.ok(
        recorded.every((i) => i.initErrors),
        JSON.stringify(recorded),
      );
      await agent.start();
      assert.equal((await stack.up()).summary.result, "succeeded");
      await assertConverged(pids);
      assert.ok((await instancesInStack()).every((i) => !i.initErrors));
    } finally {
      delete ws.envVars.QVMD_RESTART_WAIT_SECONDS;
    }
  });

  it("the CLI killed mid-create: cancel, refresh --clear-pending-creates, and `up` adopts the same VMs", async () => {
    assert.equal((await stack.destroy()).summary.result, "succeeded");
    const up = stack.up().then(
      () => new Error("up succeeded"),
      (e: unknown) => e as Error,
    );
    const pids = await bothStarted();
    const cli = processes().find((p) => p.ppid === process.pid && p.comm === "pulumi");
    assert.ok(cli, "the pulumi CLI is this process's child");
    const provider = processes().find(
      (p) => p.ppid === cli.pid && p.argv.some((a) => a.endsWith("provider/dist/main.js")),
    );
    assert.ok(provider, "the provider is the CLI's child");
    process.kill(cli.pid, "SIGKILL");
    await up;
    await waitFor("the orphaned provider to exit", () => !fs.existsSync(`/proc/${provider.pid}`), 10000);
    assert.deepEqual(await instancesInStack(), [], "the creates were pending: the engine has no ids");
    await stack.cancel(); // the killed CLI's lock
    await stack.refresh({ clearPendingCreates: true });
    assert.equal((await stack.up()).summary.result, "succeeded");
    await assertConverged(pids);
  });

  it("destroy leaves nothing in qvmd", async () => {
    assert.equal((await stack.destroy()).summary.result, "succeeded");
    const st = readState(agent.stateDir);
    assert.deepEqual([st.instances, st.networks, st.images, st.dnsForwarders], [{}, {}, {}, {}]);
    assert.equal(qemuOf(agent.stateDir).size, 0);
  });
});
