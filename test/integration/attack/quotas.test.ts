// The attacker suite, quotas (finding 9): a user in qvmd's group cannot hold more than the admin's
// quotas allow; past them every call is refused naming the property, and the host is unchanged.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { TestAgent } from "../../helpers/agent";
import { assertHostUnchanged, hostSnapshot } from "../../helpers/host-snapshot";
import { useLeakCheck } from "../../helpers/leaks";
import { type CallResult, UnprivilegedUser } from "../../helpers/users";

useLeakCheck();

describe("attacker: quotas bound what one uid holds (finding 9)", function () {
  this.timeout(300000);
  let user: UnprivilegedUser;
  let agent: TestAgent;

  before(async () => {
    user = await UnprivilegedUser.create();
    agent = new TestAgent(
      {},
      {
        socketGroup: String(await user.socketGid()),
        config: { quotas: { networks: 1, instances: 1, memoryMb: 1024, images: 1 } },
      },
    );
    await agent.start();
  });
  after(async () => {
    await agent?.stop();
    await user?.remove();
  });

  const ok = (r: CallResult) => assert.ok(r.ok, JSON.stringify(r));
  async function refused(what: string, property: string, method: string, ...args: unknown[]): Promise<void> {
    const before = await hostSnapshot(agent.stateDir);
    const r = await user.call(agent.socket, method, ...args);
    assertHostUnchanged(before, await hostSnapshot(agent.stateDir), what);
    assert.ok(!r.ok, `${what} succeeded`);
    if (!r.ok) {
      assert.equal(r.error.code, "QUOTA_EXCEEDED", r.error.message);
      assert.equal(r.error.property, property);
    }
  }

  it("refuses the object past each quota, and a change past the memory quota", async () => {
    ok(
      await user.call(agent.socket, "applyNetwork", {
        id: "q1",
        cidr: "10.233.1.0/24",
        dhcp: { enabled: true },
      }),
    );
    await refused("a second network", "id", "applyNetwork", { id: "q2", cidr: "10.233.2.0/24" });
    const disk = path.join(user.home, "d.raw");
    fs.writeFileSync(disk, Buffer.alloc(1024 * 1024));
    fs.chownSync(disk, user.uid, user.gid);
    ok(await user.call(agent.socket, "applyImage", { id: "qi", source: `file://${disk}` }));
    await refused("a second image", "id", "applyImage", { id: "qj", source: "https://example.invalid/x" });
    const vm = {
      id: "qv1",
      image_id: "qi",
      running: false,
      memory_mb: 512,
      nics: [{ network_id: "q1", mac: "52:54:00:33:01:01" }],
    };
    ok(await user.call(agent.socket, "applyInstance", vm));
    await refused("a second instance", "id", "applyInstance", { ...vm, id: "qv2", nics: [] });
    await refused("more memory", "memoryMb", "applyInstance", { ...vm, memory_mb: 2048 });
    ok(await user.call(agent.socket, "applyInstance", { ...vm, memory_mb: 1024 }));
    // A template is an instance too (a VM while it builds, a saved one after), with its memory.
    const tpl = { id: "qt1", image_id: "qi", network_id: "q1", memory_mb: 256 };
    await refused("a template past the instance quota", "id", "applyTemplate", tpl);
    ok(await user.call(agent.socket, "deleteInstance", "qv1"));
    await refused("a template past the memory quota", "memoryMb", "applyTemplate", {
      ...tpl,
      memory_mb: 2048,
    });
    ok(await user.call(agent.socket, "deleteImage", "qi"));
    ok(await user.call(agent.socket, "deleteNetwork", "q1"));
  });
});
