// The firewall guard's check leaves out networks being created or deleted (network/in-flight.ts):
// their tables are half-made or half-gone on purpose, and calling them missing made the guard
// re-apply every network's table while a stack was being created.
import * as assert from "node:assert/strict";
import { names } from "../../../agent/src/constants";
import { InFlight, firewallMissing } from "../../../agent/src/network/in-flight";

describe("network in-flight tracking", () => {
  it("tells a check every network in flight at any moment while it ran", async () => {
    const f = new InFlight();
    let release!: () => void;
    const slow = f.during("a", () => new Promise<void>((r) => (release = r)));
    await f.during("b", async () => undefined);
    const seen = await f.watch(async (touched) => {
      await f.during("c", async () => undefined);
      return new Set(touched);
    });
    assert.deepEqual([...seen].sort(), ["a", "c"], "a was running, c ran meanwhile, b was done before");
    release();
    await slow;
    assert.deepEqual([...(await f.watch(async (t) => new Set(t)))], [], "nothing once all are done");
  });

  it("keeps counting a network while one of two changes on it still runs", async () => {
    const f = new InFlight();
    let release!: () => void;
    const first = f.during("a", () => new Promise<void>((r) => (release = r)));
    await assert.rejects(
      f.during("a", async () => {
        throw new Error("failed");
      }),
    );
    assert.deepEqual([...(await f.watch(async (t) => new Set(t)))], ["a"]);
    release();
    await first;
  });

  it("reports missing tables and forward rules of settled networks only", () => {
    const tables = new Set([names.nftTable("ok")]);
    const drift = [
      `iptables FORWARD: accept rule for traffic from ${names.hostVeth("ok")} missing`,
      `iptables FORWARD: accept rule for traffic from ${names.hostVeth("new")} missing`,
    ];
    const recorded = (id: string) => id !== "gone";
    const missing = firewallMissing(["ok", "lost", "new", "gone"], tables, drift, new Set(["new"]), recorded);
    assert.deepEqual(missing, [`nft table ${names.nftFamily} ${names.nftTable("lost")} missing`, drift[0]]);
  });
});
