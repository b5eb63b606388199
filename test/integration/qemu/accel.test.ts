// The accelerator decision is made by booting, and the chosen accelerator really runs guest code.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { PROBE_EXIT_CODE, clearAccelCache, probeAccel, runBootSector } from "../../../agent/src/qemu/accel";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("accelerator probe (real QEMU)", function () {
  this.timeout(120000);
  after(() => clearAccelCache());

  it("decides with a reason, and the probe sector runs under the decision", async () => {
    clearAccelCache();
    const d = await probeAccel({ arch: "x86_64", timeoutMs: 15000 });
    console.log(`      decision: ${d.accel} (${d.reason})`);
    assert.ok(d.accel === "kvm" || d.accel === "tcg");
    assert.ok(d.reason.length > 0);
    if (!fs.existsSync("/dev/kvm")) assert.equal(d.accel, "tcg");
    if (fs.existsSync("/dev/kvm") && d.accel === "tcg")
      assert.match(d.reason, /KVM probe guest (failed|hung)/);

    const r = await runBootSector({ accel: d.accel, timeoutMs: 60000, name: "qvx-accel-check" });
    assert.equal(r.exitCode, PROBE_EXIT_CODE, `probe sector under ${d.accel}: ${r.stderrTail}`);
    assert.ok(r.ran);
  });

  it("caches the decision in-process", async () => {
    const a = probeAccel({ arch: "x86_64", timeoutMs: 15000 });
    const b = probeAccel({ arch: "x86_64", timeoutMs: 15000 });
    assert.equal(a, b);
    assert.deepEqual(await a, await b);
  });

  it("uses TCG for a guest architecture other than the host's", async () => {
    const d = await probeAccel({ arch: "aarch64" });
    assert.equal(d.accel, "tcg");
    assert.match(d.reason, /aarch64/);
  });
});
