// The hostile suite's requests come from one seed (test/helpers/fuzz.ts): a failure in CI is
// replayed with the seed it printed, so the same seed must give the same requests, in the same order.
import * as assert from "node:assert/strict";
import { Rng, fuzzSeed, hostileBody, plan } from "../../helpers/fuzz";

const RPCS = ["Health", "ApplyNetwork", "UploadBlob"];
const small = [Buffer.from("0a0a4e4f542f414e2d494421", "hex"), Buffer.from("1201", "hex")];
const large = [Buffer.alloc(1024, 0x75)];
const foreign = [Buffer.from("0a03717663", "hex")];

/** A run as the suite draws it: the plan, then each request's body from its own seed. */
function requests(seed: number): string[] {
  return plan(seed, RPCS, 300).map(({ rpc, seed: own }) => {
    const { kind, body } = hostileBody(new Rng(own), small, large, foreign);
    return `${rpc} ${kind} ${body.toString("hex")}`;
  });
}

describe("hostile fuzz: seeded", () => {
  it("the same seed gives the same requests in the same order", () => {
    const a = requests(1234567);
    assert.equal(a.length, 900);
    assert.deepEqual(requests(1234567), a);
    // Drawn in another order (as concurrent answers arrive), each request's body is the same.
    const p = plan(1234567, RPCS, 300);
    const backwards = p
      .map(({ rpc, seed }) => ({ rpc, seed }))
      .reverse()
      .map(({ rpc, seed }) => {
        const { kind, body } = hostileBody(new Rng(seed), small, large, foreign);
        return `${rpc} ${kind} ${body.toString("hex")}`;
      })
      .reverse();
    assert.deepEqual(backwards, a);
  });

  it("another seed gives other requests, of every kind", () => {
    const a = requests(1);
    const b = requests(2);
    assert.notDeepEqual(a, b);
    const kinds = new Set(a.map((r) => r.split(" ")[1]));
    assert.deepEqual([...kinds].sort(), ["foreign", "mutated", "proto", "random", "semantic"]);
    // Each RPC gets its share.
    for (const rpc of RPCS) assert.equal(a.filter((r) => r.startsWith(`${rpc} `)).length, 300);
  });

  it("FUZZ_SEED replays a seed; anything but an integer in [0, 2^32) is refused", () => {
    assert.equal(fuzzSeed({ FUZZ_SEED: "4294967295" }), 4294967295);
    assert.equal(fuzzSeed({ FUZZ_SEED: "0" }), 0);
    for (const bad of ["-1", "1.5", "0x10", "4294967296", "seed"])
      assert.throws(() => fuzzSeed({ FUZZ_SEED: bad }), /FUZZ_SEED/);
    const fresh = fuzzSeed({});
    assert.ok(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 32, String(fresh));
  });
});
