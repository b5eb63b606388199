// The per-key mutex the image store uses (agent/src/util/lock.ts): calls on one key run one at a
// time in arrival order, other keys do not wait, and an idle key leaves nothing behind.
import * as assert from "node:assert/strict";
import { Coalescer, KeyedMutex } from "../../../agent/src/util/lock";

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

describe("Coalescer", () => {
  it("gives each caller a run that starts after it asked, sharing the one waiting to start", async () => {
    const c = new Coalescer();
    let state = 0;
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const render = async () => {
      const at = state; // the state as this run reads it, when it starts
      await gate;
      seen.push(at);
    };
    state = 1;
    const first = c.run("net", render);
    await new Promise((r) => setImmediate(r)); // the first run has started (it read 1)
    state = 2;
    const second = c.run("net", render); // must see 2: waits for the first, does not join it
    state = 3;
    const third = c.run("net", render); // joins the second, which has not started yet
    assert.equal(third, second, "a caller joins the run waiting to start");
    const other = c.run("other", async () => {
      seen.push(-1);
    });
    await other;
    assert.deepEqual(seen, [-1], "another key does not wait");
    release();
    await Promise.all([first, second, third]);
    assert.deepEqual(seen, [-1, 1, 3], "two runs for three callers; the second read every change");
  });

  it("hands a run's failure to its callers and keeps going", async () => {
    const c = new Coalescer();
    await assert.rejects(
      c.run("k", async () => {
        throw new Error("nft failed");
      }),
      /nft failed/,
    );
    let ran = false;
    await c.run("k", async () => {
      ran = true;
    });
    assert.ok(ran, "the next caller runs");
  });
});
