// The accelerator decision is made by booting, and the chosen accelerator really runs guest code.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { PROBE_EXIT_CODE, clearAccelCache, probeAccel, runBootSector } from "../../../agent/src/qemu/accel";
import type { Sandbox } from "../../../agent/src/util/sandbox";
import { useLeakCheck } from "../../helpers/leaks";
import { confinement, qemuSandbox } from "../../helpers/sandbox";

useLeakCheck();

describe("accelerator probe (real QEMU)", function () {
  this.timeout(120000);
  let sandbox: Sandbox;
  before(async () => (sandbox = await qemuSandbox()));
  after(() => clearAccelCache());

  it("decides with a reason, and the probe sector runs under the decision", async () => {
    clearAccelCache();
    const d = await probeAccel({ arch: "x86_64", timeoutMs: 15000, sandbox });
    console.log(`      decision: ${d.accel} (${d.reason})`);
    assert.ok(d.accel === "kvm" || d.accel === "tcg");
    assert.ok(d.reason.length > 0);
    if (!fs.existsSync("/dev/kvm")) assert.equal(d.accel, "tcg");
    if (fs.existsSync("/dev/kvm") && d.accel === "tcg")
      assert.match(d.reason, /KVM probe guest (failed|hung)|does not open for qvmd-qemu/);

    const r = await runBootSector({ accel: d.accel, timeoutMs: 60000, name: "qvx-accel-check", sandbox });
    assert.equal(r.exitCode, PROBE_EXIT_CODE, `probe sector under ${d.accel}: ${r.stderrTail}`);
    assert.ok(r.ran);
  });

  it("runs the probe as the sandbox user under seccomp", async () => {
    const r = runBootSector({ accel: "tcg", timeoutMs: 60000, name: "qvx-accel-who", sandbox });
    let pid: number | undefined;
    for (let i = 0; i < 100 && pid === undefined; i++) {
      const found = fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .find((e) => {
          try {
            return fs
              .readFileSync(`/proc/${e}/cmdline`, "utf8")
              .startsWith("qemu-system-x86_64\0-name\0qvx-accel-who");
          } catch {
            return false;
          }
        });
      if (found) pid = Number(found);
      else await new Promise((res) => setTimeout(res, 20));
    }
    // The probe may end before we look; when we saw it, it ran as the sandbox user, and QEMU turns
    // its seccomp filter on as it starts: watched until then (or until it is gone).
    if (pid !== undefined) {
      let last: ReturnType<typeof confinement> | undefined;
      let gone = false;
      for (let i = 0; i < 1000; i++) {
        try {
          last = confinement(pid);
        } catch {
          gone = true;
          break;
        }
        if (last.seccomp === 2) break;
        await new Promise((res) => setTimeout(res, 5));
      }
      if (last) {
        assert.equal(last.uid, sandbox.uid);
        assert.ok(last.seccomp === 2 || gone, `Seccomp ${last.seccomp} while the probe ran`);
      }
    }
    assert.equal((await r).ran, true);
  });

  it("caches the decision in-process", async () => {
    const a = probeAccel({ arch: "x86_64", timeoutMs: 15000, sandbox });
    const b = probeAccel({ arch: "x86_64", timeoutMs: 15000, sandbox });
    assert.equal(a, b);
    assert.deepEqual(await a, await b);
  });

  it("uses TCG for a guest architecture other than the host's", async () => {
    const d = await probeAccel({ arch: "aarch64", sandbox });
    assert.equal(d.accel, "tcg");
    assert.match(d.reason, /aarch64/);
  });
});
