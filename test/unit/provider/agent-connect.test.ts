// How the provider reaches qvmd: when it starts one, when it waits for the service, and that every
// error it gives up with names what to run.
import * as assert from "node:assert/strict";
import { advice, modeFor, SERVICE_WAIT_MS, worthWaiting } from "../../../provider/src/agent";

describe("provider: reaching qvmd", () => {
  const checkout = { root: true, unitInstalled: false, agentMain: "/src/agent/dist/main.js" };
  const installed = { root: false, unitInstalled: true };

  it("starts qvmd itself only as root, from a checkout, with no service installed", () => {
    assert.equal(modeFor(checkout), "start");
    assert.equal(modeFor({ ...checkout, root: false }), "service");
    assert.equal(modeFor({ ...checkout, unitInstalled: true }), "service");
    assert.equal(modeFor({ root: true, unitInstalled: false }), "service");
  });

  it("waits for an installed service to come back, for a missing or dead socket only", () => {
    assert.equal(worthWaiting("refused", installed), true);
    assert.equal(worthWaiting("missing", installed), true);
    assert.equal(worthWaiting("denied", installed), false);
    assert.equal(worthWaiting("foreign", installed), false);
    assert.equal(worthWaiting("refused", { root: false, unitInstalled: false }), false);
  });

  it("says what to run", () => {
    const sock = "/run/qvmd/qvmd.sock";
    assert.match(
      advice("missing", sock, installed),
      /no socket at \/run\/qvmd\/qvmd\.sock.*sudo systemctl start qvmd/,
    );
    assert.match(advice("missing", sock, { root: false, unitInstalled: false }), /install the qvmd package/);
    const dead = advice("refused", sock, installed);
    assert.match(dead, /nothing answers/);
    assert.match(dead, new RegExp(`within ${SERVICE_WAIT_MS / 1000} s`));
    assert.match(dead, /sudo systemctl restart qvmd.*journalctl -u qvmd/);
    assert.match(advice("denied", sock, installed), /sudo usermod -aG qvmd \$USER/);
    assert.match(advice("foreign", sock, installed), /qemu:socketPath/);
  });
});
