import * as assert from "node:assert/strict";
import { firewallState } from "../../../agent/src/firewall/state";

describe("firewall: state shown by a network read (pure)", () => {
  it("is ok when nothing is missing and the guard has no error", () => {
    assert.deepEqual(firewallState([]), { state: "ok" });
    assert.deepEqual(firewallState([], { watching: true, lastRepairAt: "2025-01-01T00:00:00.000Z" }), {
      state: "ok",
      lastRepairedAt: "2025-01-01T00:00:00.000Z",
    });
  });

  it("is degraded with what is missing, which outranks the guard's error", () => {
    assert.deepEqual(
      firewallState(["nft table inet qvm_a missing", "rule missing"], { watching: true, lastError: "x" }),
      {
        state: "degraded",
        lastError: "nft table inet qvm_a missing; rule missing",
      },
    );
  });

  it("is degraded with the guard's error (failed repair, dead monitor)", () => {
    assert.deepEqual(
      firewallState([], { watching: false, lastError: "nft monitor exited", lastRepairAt: "t" }),
      { state: "degraded", lastError: "nft monitor exited", lastRepairedAt: "t" },
    );
  });
});
