// Attacker tests, processes (findings 5 and 11): QEMU and dnsmasq, as qvmd starts them for a real
// guest, are not root: QEMU runs as qvmd-qemu under its seccomp filter with no capabilities and
// can read neither root's files nor qvmd's state; dnsmasq runs as qvmd-dhcp. Processes any local
// user can start under the names qvmd looks for (a QEMU's -name, dnsmasq with a network's config)
// are neither adopted, nor mistaken for a running server, nor signalled.
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SANDBOX_USERS, names } from "../../../agent/src/constants";
import { run } from "../../../agent/src/util/exec";
import { type Sandbox, resolveSandbox, sandboxArgv } from "../../../agent/src/util/sandbox";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { useLeakCheck } from "../../helpers/leaks";
import { confinement } from "../../helpers/sandbox";

useLeakCheck();

const CAP_NET_ADMIN = 1n << 12n;
const alive = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0];
    return state !== "Z";
  } catch {
    return false;
  }
};

describe("attack: QEMU and dnsmasq are not root, and their names are not their identity", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const fakes: ChildProcess[] = [];
  let qemu: Sandbox;
  let dhcp: Sandbox;

  /** A process named like one of ours, started as an ordinary user (nobody). */
  const fake = (argv0: string, ...args: string[]): number => {
    const p = spawn(
      "setpriv",
      [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "bash",
        "-c",
        'exec -a "$0" python3 -c "import time; time.sleep(600)" "$@"',
        argv0,
        ...args,
      ],
      { stdio: "ignore" },
    );
    fakes.push(p);
    return p.pid!;
  };

  before(async () => {
    qemu = await resolveSandbox(SANDBOX_USERS.qemu);
    dhcp = await resolveSandbox(SANDBOX_USERS.dhcp);
    const c = await agent.start();
    // Fakes first: a dnsmasq "serving" the network, a QEMU "running" the instance.
    const conf = path.join(agent.stateDir, "networks", "qxs", "dnsmasq.conf");
    fake("/usr/sbin/dnsmasq", `--conf-file=${conf}`);
    fake("qemu-system-x86_64", "-name", names.qemu("vs1"));
    await new Promise((r) => setTimeout(r, 200));
    await c.applyNetwork({ id: "qxs", cidr: "10.243.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(await guestImage("img"));
  });
  after(async () => {
    for (const f of fakes) f.kill("SIGKILL");
    await agent.stop();
  });

  it("starts the real VM and DHCP server beside the fakes; the guest gets its lease", async () => {
    const v = await agent.client!.applyInstance({
      id: "vs1",
      image_id: "img",
      memory_mb: 256,
      nics: [{ network_id: "qxs", mac: "52:54:00:4c:00:01" }],
      running: true,
      wait_for_ip_seconds: 120,
    });
    assert.equal(v.state, "running");
    assert.match(v.nics[0]!.ip, /^10\.243\.0\./, "DHCP really served: the fake dnsmasq fooled nothing");
    assert.ok(!fakes.some((f) => f.pid === v.pid), "the VM's pid is not a fake's");
    const n = await agent.client!.getNetwork("qxs");
    assert.ok(!n.drift.some((d) => /DHCP/.test(d)), n.drift.join("; "));
  });

  it("runs QEMU as qvmd-qemu under seccomp, with no capabilities and its TAP handed over", async () => {
    const { pid } = await agent.client!.getInstance("vs1");
    const c = confinement(pid);
    assert.equal(c.uid, qemu.uid);
    assert.equal(c.seccomp, 2, "Seccomp: 2 (filter)");
    assert.equal(c.noNewPrivs, 1);
    assert.equal(BigInt(`0x${c.capEff}`), 0n);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).map((f) => fs.readlinkSync(`/proc/${pid}/fd/${f}`));
    assert.ok(fds.includes("/dev/net/tun"));
    // Its files are its own; qvmd's are root's.
    const dir = path.join(agent.stateDir, "instances", "vs1");
    assert.equal(fs.statSync(path.join(dir, "disk.qcow2")).uid, qemu.uid);
    assert.equal(fs.statSync(dir).uid, 0, "the instance directory is root's: no link can be planted in it");
  });

  it("gives what runs as qvmd-qemu no way into root's files or qvmd's state", async () => {
    for (const file of ["/etc/shadow", path.join(agent.stateDir, "state.json")]) {
      const [cmd, ...args] = sandboxArgv(qemu, ["cat", file]);
      const r = await run(cmd!, args, { reject: false });
      assert.notEqual(r.exitCode, 0, `qvmd-qemu read ${file}`);
      assert.match(r.stderr, /Permission denied/);
    }
    // Nor into the DHCP server's configuration, nor another user's home.
    const [cmd, ...args] = sandboxArgv(qemu, ["ls", path.join(agent.stateDir, "networks", "qxs")]);
    assert.notEqual((await run(cmd!, args, { reject: false })).exitCode, 0);
  });

  it("runs dnsmasq as qvmd-dhcp, keeping at most CAP_NET_ADMIN in its network's namespace", async () => {
    const pid = Number(fs.readFileSync(path.join(agent.runDir, `qvm-qxs-dnsmasq.pid`), "utf8").trim());
    const c = confinement(pid);
    assert.equal(c.uid, dhcp.uid);
    assert.equal(BigInt(`0x${c.capEff}`) & ~CAP_NET_ADMIN, 0n, `CapEff ${c.capEff}`);
    assert.equal(fs.statSync(`/proc/${pid}/ns/net`).ino, fs.statSync("/run/netns/qvm-qxs").ino);
  });

  it("deleting stops the real processes and leaves the fakes alone", async () => {
    const fakePids = fakes.map((f) => f.pid!);
    await agent.client!.deleteInstance("vs1");
    await agent.client!.deleteNetwork("qxs");
    for (const p of fakePids) assert.ok(alive(p), `fake ${p} was signalled`);
  });
});
