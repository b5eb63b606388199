// Instances: (1) qvmd ApplyInstance until QEMU runs vs a bare QEMU spawn of the same argv (the
// floor), and (2) guest DHCP lease -> address in qvmd's API vs a 1 s polling loop (what tools that
// poll leases do), measured in the same run. Prints milliseconds and ratios; asserts nothing.
// Usage: tsx bench/instance/run.ts [N]   (root; TCG)
import * as fs from "node:fs";
import * as path from "node:path";
import { buildQemuArgv, qemuBinary, type QemuLaunch } from "../../agent/src/qemu/argv";
import { launchQemu, stopQemu } from "../../agent/src/qemu/process";
import { buildGuest, guestImage } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";

const N = Number(process.argv[2] ?? 3);
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const g = await buildGuest("x86_64");
  const image = await guestImage("img");
  const agent = new TestAgent();
  const c = await agent.start();
  const spawnMs: number[] = [];
  const applyMs: number[] = [];
  const leaseToApiMs: number[] = [];
  const pollMs: number[] = [];
  try {
    await c.applyNetwork({ id: "qbi", cidr: "10.247.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage(image);

    for (let i = 0; i < N; i++) {
      // Floor: the same kind of QEMU, daemonised, no agent, no network.
      const dir = fs.mkdtempSync(path.join(agent.dir, "bare-"));
      const launch: QemuLaunch = {
        name: `qvx-bench-${i}`,
        arch: "x86_64",
        accel: "tcg",
        cpus: 1,
        memoryMb: 256,
        pidFile: path.join(dir, "pid"),
        qmpSocket: path.join(dir, "qmp"),
        serialLog: path.join(dir, "serial"),
        kernel: g.vmlinuz,
        initrd: g.initrd,
        cmdline: g.cmdline,
        firmware: "bios",
        nics: [],
      };
      let t = process.hrtime.bigint();
      const pid = await launchQemu(launch);
      spawnMs.push(ms(t));
      await stopQemu({ qmpSocket: launch.qmpSocket, pid }, { graceMs: 0 });

      // Agent: ApplyInstance without waiting for an address returns once QEMU runs.
      const mac = `52:54:00:47:00:${(16 + i).toString(16)}`;
      t = process.hrtime.bigint();
      await c.applyInstance({
        id: `b${i}`,
        image_id: "img",
        memory_mb: 256,
        nics: [{ network_id: "qbi", mac }],
        running: true,
        wait_for_ip_seconds: 0,
      });
      applyMs.push(ms(t));

      // Lease -> API: the instant dnsmasq wrote the lease (file mtime) to the instant the API knew.
      const leases = path.join(agent.stateDir, "networks", "qbi", "leases");
      // The peer: a 1 s polling loop over the same lease file, running alongside.
      let polledAt = 0;
      const poller = setInterval(() => {
        if (!polledAt && fs.existsSync(leases) && fs.readFileSync(leases, "utf8").includes(mac))
          polledAt = Date.now();
      }, 1000);
      const v = await c.applyInstance({
        id: `b${i}`,
        image_id: "img",
        memory_mb: 256,
        nics: [{ network_id: "qbi", mac }],
        running: true,
        wait_for_ip_seconds: 120,
      });
      const known = Date.now();
      const written = fs.statSync(leases).mtimeMs;
      for (let w = 0; !polledAt && w < 60; w++) await new Promise((r) => setTimeout(r, 50));
      clearInterval(poller);
      if (v.nics[0]?.source === "dhcp") {
        leaseToApiMs.push(known - written);
        pollMs.push(polledAt - written);
      }
      await c.deleteInstance(`b${i}`);
    }
  } finally {
    await agent.stop();
  }
  const a = median(applyMs);
  const s = median(spawnMs);
  console.log(`instances: ${N}, TCG, ${qemuBinary("x86_64")} (argv of ${buildQemuArgv.name})`);
  console.log(
    `create -> QEMU running: qvmd ${a.toFixed(0)} ms vs bare spawn ${s.toFixed(0)} ms (ratio ${(a / s).toFixed(2)}x; qvmd adds overlay, seed ISO, TAP, accel probe cache)`,
  );
  if (leaseToApiMs.length > 0) {
    const l = median(leaseToApiMs);
    console.log(
      `DHCP lease -> address known: qvmd API ${l.toFixed(1)} ms median (max ${Math.max(...leaseToApiMs).toFixed(1)}) ` +
        `vs a 1 s polling loop over the same lease file ${median(pollMs).toFixed(0)} ms (ratio ${(l / median(pollMs)).toFixed(3)}x)`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
