// The per-key mutex the image store uses (agent/src/util/lock.ts): calls on one key run one at a
// time in arrival order, other keys do not wait, and an idle key leaves nothing behind.
import * as assert from "node:assert/strict";
import { KeyedMutex } from "../../../agent/src/util/lock";

describe("KeyedMutex", () => {
  it("serialises one key, lets other keys through, and forgets idle keys", async () => {
    const m = new KeyedMutex();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = m.run("a", async () => {
      await gate;
      order.push("a1");
    });
    const a2 = m.run("a", async () => {
      order.push("a2");
      throw new Error("a2 fails");
    });
    const a3 = m.run("a", async () => {
      order.push("a3");
    });
    await m.run("b", async () => {
      order.push("b");
    });
    assert.deepEqual(order, ["b"], "b did not wait for a");
    release();
    await a1;
    await assert.rejects(a2, /a2 fails/);
    await a3;
    assert.deepEqual(order, ["b", "a1", "a2", "a3"], "a failure does not stop the queue");
    await new Promise((r) => setImmediate(r));
    assert.equal(m.size, 0, "no key kept once idle");
  });
});
