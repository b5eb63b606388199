// Instances: (1) qvmd ApplyInstance until QEMU runs vs a bare spawn of the same QEMU command line
// (the floor: the same devices, a disk overlay, seed and TAP of its own prepared beforehand, the
// same `ip netns exec ... -daemonize` and pid-file wait), and (2) guest DHCP lease -> address in
// qvmd's API vs a 1 s polling loop (what tools that poll leases do), measured in the same run.
// Prints milliseconds and ratios; asserts nothing.
// Usage: [INSTBENCH_PREVIOUS=<another checkout, built>] tsx bench/instance/run.ts [N]   (root; TCG)
import * as fs from "node:fs";
import * as path from "node:path";
import { names, SYSTEM_PATH } from "../../agent/src/constants";
import { qemuBinary, type QemuLaunch } from "../../agent/src/qemu/argv";
import { launchCommand, stopQemu } from "../../agent/src/qemu/process";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { median, record, since } from "../lib/results";
import { giveTo, qemuSandbox, sandboxDir } from "../../test/helpers/sandbox";

const N = Number(process.argv[2] ?? 5);
const NS = names.netns("qbi");

/**
 * The floor's spawn: the command qvmd builds (the sandbox launcher, then QEMU), run as is, until it
 * prints the pid of the QEMU it started. Not launchQemu(): its already-running guard and its record
 * are qvmd's work, not the floor's.
 */
async function bareSpawn(l: QemuLaunch, ns: string): Promise<number> {
  const cmd = launchCommand(l, ns);
  const r = await run(cmd.file, cmd.args);
  return Number.parseInt(r.stdout.trim().split("\n").at(-1) ?? "", 10);
}

interface Phase {
  spawnMs: number[];
  applyMs: number[];
  leaseToApiMs: number[];
  pollMs: number[];
}

/** N creates through the qvmd of `main` (default: this checkout's), each beside a bare spawn. */
async function phase(main?: string, withLeases = true): Promise<Phase> {
  const g = await guestDir("x86_64");
  const agent = new TestAgent({}, { main });
  const c = await agent.start();
  const spawnMs: number[] = [];
  const applyMs: number[] = [];
  const leaseToApiMs: number[] = [];
  const pollMs: number[] = [];
  const seedDir = fs.mkdtempSync("/tmp/qvx-bench-seed-");
  try {
    await c.applyNetwork({ id: "qbi", cidr: "10.247.0.0/24", nat: true, dhcp: { enabled: true } });
    const img = await c.applyImage({
      id: "img",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
      cmdline: "console=ttyS0",
    });
    const spec = (i: number, wait: number) => ({
      id: `b${i}`,
      image_id: "img",
      memory_mb: 256,
      nics: [{ network_id: "qbi", mac: `52:54:00:47:00:${(16 + i).toString(16)}` }],
      running: true,
      wait_for_ip_seconds: wait,
    });
    // Warm-up, not counted: the accelerator probe and the first exec of each tool. Its seed serves
    // the floor's spawns (the floor's QEMU reads it as ours reads its own).
    const warm = await c.applyInstance(spec(99, 0));
    const seedCopy = path.join(seedDir, "seed.iso");
    fs.copyFileSync(path.join(agent.stateDir, "instances", "b99", "seed.iso"), seedCopy);
    await c.deleteInstance("b99");

    for (let i = 0; i < N; i++) {
      // Floor first, then ours, each while no other guest runs: a guest booting under TCG takes a
      // core, and the one measured second used to share the machine with the first one's boot.
      // Floor: the same launch by hand. Files and TAP are prepared outside the timing.
      // QEMU runs as the sandbox user, as qvmd runs it: a directory it may enter, a disk it owns.
      const sandbox = await qemuSandbox();
      const dir = sandboxDir("qvx-bench-bare-", sandbox);
      const tap = `qvxbt${i}`;
      await run("qemu-img", [
        "create",
        "-q",
        "-f",
        "qcow2",
        "-F",
        img.spec!.format || "qcow2",
        "-b",
        img.path,
        path.join(dir, "disk.qcow2"),
        "1G",
      ]);
      fs.copyFileSync(seedCopy, path.join(dir, "seed.iso"));
      giveTo(path.join(dir, "disk.qcow2"), sandbox);
      fs.writeFileSync(path.join(dir, "serial"), "");
      giveTo(path.join(dir, "serial"), sandbox);
      fs.chownSync(path.join(dir, "seed.iso"), 0, sandbox.gid);
      fs.chmodSync(path.join(dir, "seed.iso"), 0o640);
      await run("ip", ["-n", NS, "tuntap", "add", "dev", tap, "mode", "tap"]);
      await run("ip", ["-n", NS, "link", "set", tap, "master", names.bridge("qbi"), "up"]);
      const launch: QemuLaunch = {
        name: `qvx-bench-${i}`,
        arch: "x86_64",
        accel: (warm.accel || "tcg") as "tcg" | "kvm",
        cpus: 1,
        memoryMb: 256,
        pidFile: path.join(dir, "pid"),
        qmpSocket: path.join(dir, "qmp"),
        serialLog: path.join(dir, "serial"),
        disk: { path: path.join(dir, "disk.qcow2"), format: "qcow2" },
        seed: path.join(dir, "seed.iso"),
        kernel: img.kernel_path,
        initrd: img.initrd_path,
        cmdline: "console=ttyS0",
        firmware: "bios",
        nics: [{ tap, mac: `52:54:00:47:01:${(16 + i).toString(16)}` }],
        sandbox,
      };
      let t = process.hrtime.bigint();
      const pid = await bareSpawn(launch, NS);
      spawnMs.push(since(t));
      await stopQemu({ ...launch, pid }, { graceMs: 0 });
      await run("ip", ["-n", NS, "link", "delete", tap], { reject: false });
      fs.rmSync(dir, { recursive: true, force: true });

      // Agent: ApplyInstance without waiting for an address returns once QEMU runs.
      t = process.hrtime.bigint();
      await c.applyInstance(spec(i, 0));
      applyMs.push(since(t));
      if (!withLeases) {
        await c.deleteInstance(`b${i}`);
        continue;
      }

      // Lease -> API: the instant dnsmasq wrote the lease (file mtime) to the instant the API knew.
      const leases = path.join(agent.stateDir, "networks", "qbi", "leases");
      const mac = spec(i, 0).nics[0]!.mac;
      // The peer: a 1 s polling loop over the same lease file, running alongside.
      let polledAt = 0;
      const poller = setInterval(() => {
        if (!polledAt && fs.existsSync(leases) && fs.readFileSync(leases, "utf8").includes(mac))
          polledAt = Date.now();
      }, 1000);
      const w = await c.applyInstance(spec(i, 120));
      const known = Date.now();
      const written = fs.statSync(leases).mtimeMs;
      for (let k = 0; !polledAt && k < 60; k++) await new Promise((r) => setTimeout(r, 50));
      clearInterval(poller);
      if (w.nics[0]?.source === "dhcp") {
        leaseToApiMs.push(known - written);
        pollMs.push(polledAt - written);
      }
      await c.deleteInstance(`b${i}`);
    }
  } finally {
    await agent.stop();
    fs.rmSync(seedDir, { recursive: true, force: true });
  }
  return { spawnMs, applyMs, leaseToApiMs, pollMs };
}

const report = (who: string, p: Phase) => {
  const a = median(p.applyMs);
  const s = median(p.spawnMs);
  console.log(
    `create -> QEMU running: ${who} ${a.toFixed(0)} ms vs bare spawn of the same argv ${s.toFixed(0)} ms ` +
      `(ratio ${(a / s).toFixed(2)}x; spread qvmd ${Math.min(...p.applyMs).toFixed(0)}-${Math.max(...p.applyMs).toFixed(0)}, ` +
      `bare ${Math.min(...p.spawnMs).toFixed(0)}-${Math.max(...p.spawnMs).toFixed(0)})`,
  );
  return { a, s };
};

async function main(): Promise<void> {
  // The floor runs its commands with qvmd's PATH (main.ts sets it): with the caller's, `python3`
  // (the launcher's interpreter) was pyenv's shim on this host, 0.2 s a start against 0.02.
  process.env.PATH = SYSTEM_PATH;
  // INSTBENCH_PREVIOUS: another checkout of ours, built: its creates measured first, in this run.
  const prev = process.env.INSTBENCH_PREVIOUS;
  const before = prev ? await phase(path.join(prev, "agent", "dist", "main.js"), false) : undefined;
  const { leaseToApiMs, pollMs, ...now } = await phase();
  console.log(`instances: ${N}, TCG, ${qemuBinary("x86_64")}, median ms`);
  if (before) report(`previous (${prev})`, before);
  const { a, s } = report("qvmd", { leaseToApiMs, pollMs, ...now });
  record({
    figure: "instance create -> QEMU running",
    bench: "instance",
    ours: a,
    peer: s,
    peerName: "bare QEMU spawn, same argv",
    unit: "ms",
    better: "lower",
    goal: "<= 1.3x",
    limit: 1.3,
  });
  if (leaseToApiMs.length > 0) {
    const l = median(leaseToApiMs);
    const p = median(pollMs);
    console.log(
      `DHCP lease -> address known: qvmd API ${l.toFixed(1)} ms median (max ${Math.max(...leaseToApiMs).toFixed(1)}) ` +
        `vs a 1 s polling loop over the same lease file ${p.toFixed(0)} ms (ratio ${(l / p).toFixed(3)}x)`,
    );
    record({
      figure: "DHCP lease -> address known",
      bench: "instance",
      ours: l,
      peer: p,
      peerName: "1 s lease-file poll",
      unit: "ms",
      better: "lower",
      goal: "< 1.0x",
      limit: 1.0,
    });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
