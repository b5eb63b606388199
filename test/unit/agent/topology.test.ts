// Finding 14: an instance's check-and-record and a deletion of what it uses are ordered, never
// interleaved: a deletion waits for a check in progress (and then sees its record), and a check
// after a deletion began sees the object as going.
import * as assert from "node:assert/strict";
import { Topology } from "../../../agent/src/policy/topology";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("topology", () => {
  it("a deletion waits for a check-and-record in progress, then finds the new user", async () => {
    const t = new Topology();
    const users: string[] = [];
    const order: string[] = [];
    const apply = t.run(async () => {
      order.push("check");
      await tick(); // the check's I/O
      users.push("vm1");
      order.push("record");
    });
    const del = t.delete(
      "network",
      "n1",
      () => {
        order.push("in-use check");
        if (users.length > 0) throw new Error("NET_IN_USE");
      },
      async () => "deleted",
    );
    await apply;
    await assert.rejects(del, /NET_IN_USE/);
    assert.deepEqual(order, ["check", "record", "in-use check"]);
  });

  it("a check after a deletion began sees the object as going, until it is done", async () => {
    const t = new Topology();
    let finish!: () => void;
    const del = t.delete(
      "image",
      "i1",
      () => undefined,
      () => new Promise<void>((r) => (finish = r)),
    );
    await tick();
    assert.equal(await t.run(async () => t.isGoing("image", "i1")), true);
    assert.equal(t.isGoing("network", "i1"), false, "per kind");
    finish();
    await del;
    assert.equal(t.isGoing("image", "i1"), false);
  });
});
