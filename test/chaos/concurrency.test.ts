// Concurrency (issue 11, item 4): calls racing on related resources give one clear winner and leave
// no half-made object; and one stack of 16 real guests on 4 networks under `--parallel 16` comes up
// with every address and goes down clean.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AgentError, type InstanceSpec, type QvmdClient } from "@pulumi-qemu/api";
import * as qemu from "pulumi-qemu";
import { guestDir } from "../helpers/guest";
import { openStack } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { hostSnapshot, qemuOf, readState } from "../helpers/chaos";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

/** Both outcomes of a race, as "ok" or the error code. */
async function race(a: Promise<unknown>, b: Promise<unknown>): Promise<[string, string]> {
  const code = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e: unknown) => (e instanceof AgentError ? e.code : `unexpected: ${String(e)}`),
    );
  return Promise.all([code(a), code(b)]);
}

describe("chaos: concurrent calls on related resources", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  let c: QvmdClient;
  let reference: string[];
  const vm = (id: string, s: Partial<InstanceSpec> = {}): InstanceSpec => ({
    id,
    image_id: "cci",
    memory_mb: 128,
    nics: [{ network_id: "cc1", mac: `52:54:00:48:00:${id.slice(-2)}` }],
    running: true,
    ...s,
  });

  before(async () => {
    const g = await guestDir("x86_64");
    c = await agent.start();
    await c.applyImage({
      id: "cci",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
    });
    await c.applyNetwork({ id: "cc1", cidr: "10.250.0.0/24", dhcp: { enabled: true } });
    reference = await hostSnapshot(agent.stateDir);
  });

  after(() => agent.stop());

  /** Nothing of `id` anywhere: no record, no file, no link, no process. */
  async function assertNoTrace(id: string): Promise<void> {
    assert.equal(readState(agent.stateDir).instances[id], undefined, `${id} is not recorded`);
    const left = (await hostSnapshot(agent.stateDir)).filter((o) => o.includes(id));
    assert.deepEqual(left, [], `nothing of ${id} is left`);
  }

  it("an instance created while its network is deleted: one wins, nothing is half-made", async () => {
    const outcomes = new Map<string, number>();
    const after = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
    // The delete starts up to 60 ms before the create, at once, or up to 60 ms after it, so each
    // lands at a different point of the other.
    for (const offset of [-60, -30, -10, -3, 0, 3, 10, 30, 60]) {
      const [created, deleted] = await race(
        after(-offset).then(() => c.applyInstance(vm("ccn01"))),
        after(offset).then(() => c.deleteNetwork("cc1")),
      );
      outcomes.set(`${created}/${deleted}`, (outcomes.get(`${created}/${deleted}`) ?? 0) + 1);
      if (created === "ok") {
        assert.equal(deleted, "NET_IN_USE", `offset ${offset}: the network stays while the VM uses it`);
        assert.ok(qemuOf(agent.stateDir).has("ccn01"));
        await c.deleteInstance("ccn01");
      } else {
        assert.equal(deleted, "ok", `offset ${offset}: ${created}/${deleted}`);
        assert.equal(created, "UNKNOWN_NETWORK", `offset ${offset}`);
        await assertNoTrace("ccn01");
        await c.applyNetwork({ id: "cc1", cidr: "10.250.0.0/24", dhcp: { enabled: true } });
      }
      assert.deepEqual(await hostSnapshot(agent.stateDir), reference, `offset ${offset}: back to the start`);
    }
    console.log(`      instance vs network delete: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.equal(outcomes.size, 2, "each side won at least once");
  });

  it("two instances claiming one MAC at once: one wins, the other leaves nothing", async () => {
    for (let round = 0; round < 4; round++) {
      const mac = "52:54:00:48:01:01";
      const [a, b] = await race(
        c.applyInstance(vm("ccm01", { nics: [{ network_id: "cc1", mac }] })),
        c.applyInstance(vm("ccm02", { nics: [{ network_id: "cc1", mac }] })),
      );
      assert.deepEqual([a, b].sort(), ["DUPLICATE_MAC", "ok"], `round ${round}`);
      await assertNoTrace(a === "ok" ? "ccm02" : "ccm01");
      await c.deleteInstance(a === "ok" ? "ccm01" : "ccm02");
      assert.deepEqual(await hostSnapshot(agent.stateDir), reference);
    }
  });

  it("two instances forwarding one host port at once: one wins, the other leaves nothing", async () => {
    for (let round = 0; round < 4; round++) {
      const fwd = [{ host_port: 18622, guest_port: 22, protocol: "tcp" }];
      const [a, b] = await race(
        c.applyInstance(vm("ccp01", { port_forwards: fwd, running: false })),
        c.applyInstance(vm("ccp02", { port_forwards: fwd, running: false })),
      );
      assert.equal([a, b].filter((x) => x === "ok").length, 1, `round ${round}: ${a}/${b}`);
      const loser = a === "ok" ? "ccp02" : "ccp01";
      assert.match(a === "ok" ? b : a, /^PORT_/, `round ${round}`);
      await assertNoTrace(loser);
      await c.deleteInstance(a === "ok" ? "ccp01" : "ccp02");
      assert.deepEqual(await hostSnapshot(agent.stateDir), reference);
    }
  });

  it("two networks claiming one range at once: one wins", async () => {
    const [a, b] = await race(
      c.applyNetwork({ id: "cco1", cidr: "10.250.8.0/24" }),
      c.applyNetwork({ id: "cco2", cidr: "10.250.8.0/25" }),
    );
    assert.deepEqual([a, b].sort(), ["NET_OVERLAP", "ok"]);
    await c.deleteNetwork(a === "ok" ? "cco1" : "cco2");
    assert.deepEqual(await hostSnapshot(agent.stateDir), reference);
  });

  it("Apply and Delete of one instance at once end whole: created or gone, never half", async () => {
    for (let round = 0; round < 4; round++) {
      const [applied, deleted] = await race(c.applyInstance(vm("ccd01")), c.deleteInstance("ccd01"));
      assert.equal(applied, "ok");
      assert.equal(deleted, "ok");
      const exists = readState(agent.stateDir).instances.ccd01 !== undefined;
      if (exists) {
        assert.ok(qemuOf(agent.stateDir).has("ccd01"), `round ${round}: recorded and running`);
        await c.deleteInstance("ccd01");
      }
      await assertNoTrace("ccd01");
    }
  });
});

describe("chaos: 16 guests on 4 networks under pulumi up --parallel 16", function () {
  this.timeout(1200000);
  const agent = new TestAgent();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-fleet-"));

  after(async () => {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("comes up with every address and goes down clean", async () => {
    const g = await guestDir("x86_64");
    await agent.start();
    const stack = await openStack({
      example: "network",
      stackName: "fleet",
      stateDir: dir,
      env: { QVMD_SOCKET: agent.socket },
      program: async () => {
        const img = new qemu.Image("tiny", {
          source: `file://${g}/disk.qcow2`,
          kernel: `file://${g}/vmlinuz`,
          initrd: `file://${g}/initrd.img`,
          // no_timer_check: on a loaded host (16 TCG guests on 2 cores) the kernel's IO-APIC timer check
          // can fail and panic a guest before its console ("IO-APIC + timer doesn't work!").
          cmdline: "console=ttyS0 quiet no_timer_check",
        });
        const nets = [0, 1, 2, 3].map((i) => new qemu.Network(`n${i}`, { cidr: `10.252.${i}.0/24` }));
        const vms = Array.from(
          { length: 16 },
          (_, i) =>
            new qemu.Instance(`vm${i}`, {
              imageId: img.id,
              memoryMb: 128,
              networks: [{ networkId: nets[i % 4]!.id }],
            }),
        );
        return { vms: pulumi.all(vms.map((v) => v.ipAddresses)) };
      },
    });
    const t0 = Date.now();
    const up = await stack.up({ parallel: 16 });
    const upSeconds = (Date.now() - t0) / 1000;
    assert.equal(up.summary.result, "succeeded");
    const ips = up.outputs.vms!.value as string[][];
    assert.equal(ips.length, 16);
    ips.forEach((a, i) => assert.match(a[0] ?? "", new RegExp(`^10\\.252\\.${i % 4}\\.\\d+$`), `vm${i}`));
    assert.equal(new Set(ips.map((a) => a[0])).size, 16, "16 distinct addresses");
    assert.equal(qemuOf(agent.stateDir).size, 16);
    const t1 = Date.now();
    const down = await stack.destroy({ parallel: 16 });
    assert.equal(down.summary.result, "succeeded");
    console.log(
      `      16 guests (128 MiB, TCG) on 4 networks: up ${upSeconds.toFixed(0)} s, down ${((Date.now() - t1) / 1000).toFixed(0)} s`,
    );
    assert.deepEqual(await hostSnapshot(agent.stateDir), []);
  });
});
