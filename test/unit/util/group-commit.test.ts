// Group commit (agent/src/util/group-commit.ts), the state file's writer: changes that wait for a
// write share the next one, in arrival order; a change resolves only after a write carrying it; a
// failed write rejects what it carried and keeps the value; a throwing change fails alone.
import * as assert from "node:assert/strict";
import { GroupCommit } from "../../../agent/src/util/group-commit";

/** A writer whose writes finish when the test says so. */
function gatedWriter() {
  const writes: number[][] = [];
  const gates: Array<{ ok: () => void; fail: (e: Error) => void }> = [];
  const write = (next: number[]) =>
    new Promise<void>((ok, fail) => {
      writes.push([...next]);
      gates.push({ ok, fail });
    });
  return { writes, gates, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("GroupCommit", () => {
  it("writes the changes that waited for a write together, each from the previous one's result", async () => {
    const w = gatedWriter();
    const g = new GroupCommit<number[]>([], w.write, (v) => [...v]);
    const settled: string[] = [];
    const a = g.change((v) => v.push(1)).then(() => settled.push("a"));
    await tick();
    assert.deepEqual(w.writes, [[1]], "the first change is written at once");
    const b = g.change((v) => v.push(v.length + 10)).then(() => settled.push("b"));
    const c = g.change((v) => v.push(v.length + 20)).then(() => settled.push("c"));
    await tick();
    assert.equal(w.writes.length, 1, "no second write while the first is in flight");
    assert.deepEqual(g.current, [], "the value shows only what is written");
    w.gates[0]!.ok();
    await tick();
    assert.deepEqual(settled, ["a"], "b and c are not durable yet");
    assert.deepEqual(g.current, [1]);
    assert.deepEqual(w.writes, [[1], [1, 11, 22]], "b and c in one write, in arrival order");
    w.gates[1]!.ok();
    await Promise.all([a, b, c]);
    assert.deepEqual(settled, ["a", "b", "c"]);
    assert.deepEqual(g.current, [1, 11, 22]);
  });

  it("rejects what a failed write carried, keeps the value, and goes on with later changes", async () => {
    const w = gatedWriter();
    const g = new GroupCommit<number[]>([0], w.write, (v) => [...v]);
    const a = g.change((v) => v.push(1));
    await tick();
    const b = g.change((v) => v.push(2));
    w.gates[0]!.fail(new Error("ENOSPC"));
    await assert.rejects(a, /ENOSPC/);
    await tick();
    assert.deepEqual(g.current, [0], "nothing of the failed write is kept");
    assert.deepEqual(w.writes[1], [0, 2], "the next write starts from the written value");
    w.gates[1]!.ok();
    await b;
    assert.deepEqual(g.current, [0, 2]);
  });

  it("fails a change that throws alone; the others in its write go on", async () => {
    const w = gatedWriter();
    const g = new GroupCommit<number[]>([], w.write, (v) => [...v]);
    const a = g.change((v) => v.push(1));
    await tick();
    const bad = g.change((v) => {
      v.push(99);
      throw new Error("bad change");
    });
    const c = g.change((v) => v.push(3));
    w.gates[0]!.ok();
    await assert.rejects(bad, /bad change/);
    await tick();
    assert.deepEqual(w.writes[1], [1, 3], "the throwing change's half-done edit is not written");
    w.gates[1]!.ok();
    await Promise.all([a, c]);
    assert.deepEqual(g.current, [1, 3]);
  });

  it("starts a new write for a change made by a caller its write just resumed", async () => {
    let writes = 0;
    const g = new GroupCommit<number>(
      0,
      async () => {
        writes++;
      },
      (v) => v,
    );
    await g.change(() => undefined);
    // Resumed by the first write's resolve, before the writer could notice its queue was empty.
    await g.change(() => undefined);
    assert.equal(writes, 2);
  });
});
