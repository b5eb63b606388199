// qvmd refuses to start where its socket could be swapped under it, and on a config it cannot
// read whole (finding 15; the config of issue 10): it exits naming the problem, serving nothing.
// Started with a hostile PATH and umask, it uses neither (finding 15).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AGENT_MAIN, TestAgent } from "../../helpers/agent";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("qvmd start-up refusals", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-startup-"));
  // QEMU and dnsmasq run as their own users: they must be able to enter the state directory's parents.
  fs.chmodSync(dir, 0o711);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = (socketDir: string, config = path.join(dir, "none.json")) =>
    spawnSync(
      process.execPath,
      [
        AGENT_MAIN,
        "--socket",
        path.join(socketDir, "qvmd.sock"),
        "--state-dir",
        path.join(dir, "state"),
        "--run-dir",
        path.join(dir, "run"),
        "--config",
        config,
      ],
      { encoding: "utf8", timeout: 20000 },
    );

  it("will not serve from a directory others may write to", () => {
    const open = path.join(dir, "open");
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o1777);
    const r = start(open);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /must be a directory owned by root and writable by no one else/);
    assert.ok(!fs.existsSync(path.join(open, "qvmd.sock")), "no socket was made");
  });

  it("will not start on a state directory its QEMU and dnsmasq users could not enter (finding 5)", () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-startup-closed-"));
    try {
      const sock = path.join(dir, "sock-closed");
      fs.mkdirSync(sock, { mode: 0o755 });
      const r = spawnSync(
        process.execPath,
        [
          AGENT_MAIN,
          ...["--socket", path.join(sock, "qvmd.sock"), "--state-dir", path.join(closed, "state")],
          ...["--run-dir", path.join(dir, "run"), "--config", path.join(dir, "none.json")],
        ],
        { encoding: "utf8", timeout: 20000 },
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /out of reach of qvmd-(qemu|dhcp).*mode 700/);
      assert.ok(!fs.existsSync(path.join(sock, "qvmd.sock")), "no socket was made");
    } finally {
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });

  it("will not start on a config with an unknown key or a bad value, naming it", () => {
    const cfg = path.join(dir, "config.json");
    fs.writeFileSync(cfg, JSON.stringify({ bridges: { uplinks: ["eth0"] }, portforwards: {} }));
    const sock = path.join(dir, "sock");
    fs.mkdirSync(sock, { mode: 0o755 });
    const r = start(sock, cfg);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /config\.json: \(top level\):.*portforwards/);
    fs.writeFileSync(cfg, JSON.stringify({ portForwards: { minHostPort: 0 } }));
    assert.match(start(sock, cfg).stderr, /portForwards\.minHostPort/);
  });

  it("runs no program from the PATH it was started with, and creates with its own umask (finding 15)", async () => {
    // Whoever starts qvmd (a `make up` PATH begins with node_modules/.bin) must not choose what it
    // runs as root: every program it uses is shadowed here by one that only leaves a mark.
    const trap = path.join(dir, "trap");
    fs.mkdirSync(trap, { mode: 0o755 });
    const programs = ["ip", "nft", "iptables", "dnsmasq", "qemu-img", "qemu-system-x86_64", "ss", "python3"];
    for (const prog of [...programs, "setpriv"])
      fs.writeFileSync(path.join(trap, prog), `#!/bin/sh\ntouch "${trap}/ran-${prog}"\nexit 1\n`, {
        mode: 0o755,
      });
    const agent = new TestAgent({ PATH: `${trap}:${process.env.PATH ?? ""}` });
    const umask = process.umask(0);
    try {
      await agent.start();
    } finally {
      process.umask(umask);
    }
    try {
      const status = fs.readFileSync(`/proc/${agent.proc!.pid}/status`, "utf8");
      assert.match(status, /^Umask:\s+0022$/m, "qvmd sets its own umask, whatever it inherited (000 here)");
      // A network runs ip, nft and dnsmasq (and the firewall guard iptables): all from the system.
      await agent.client!.applyNetwork({
        id: "qxp",
        cidr: "10.244.0.0/24",
        nat: true,
        dhcp: { enabled: true },
      });
      assert.deepEqual(
        fs.readdirSync(trap).filter((f) => f.startsWith("ran-")),
        [],
        "no program came from the inherited PATH",
      );
    } finally {
      await agent.stop();
      fs.rmSync(trap, { recursive: true, force: true });
    }
  });
});
