// Memory, measured in one run: (1) qvmd's RSS (and peak) with 10 networks x 3 running instances and
// a DNS forwarder per network; (2) one instance's QEMU RSS outside guest RAM vs a bare QEMU of the
// same configuration (the same argv, spawned by hand in the same namespace), both after the guest
// booted. Guest RAM is the anonymous mapping of exactly memory_mb in /proc/<pid>/smaps.
// Usage: tsx bench/memory/run.ts [networks] [instances per network]   (root; TCG)
import * as fs from "node:fs";
import * as path from "node:path";
import { names } from "../../agent/src/constants";
import { buildQemuArgv, qemuBinary } from "../../agent/src/qemu/argv";
import { parseCmdline } from "../../agent/src/qemu/procfs";
import { launchQemu, stopQemu } from "../../agent/src/qemu/process";
import { pidFromFile } from "../../agent/src/util/procscan";
import { giveTo, qemuSandbox, sandboxDir } from "../../test/helpers/sandbox";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { record } from "../lib/results";
import { groupRss, helpers, pss, qemuRss, sameExecutable, statusKb } from "./procmem";
import { measureWorking } from "./working";

const NETS = Number(process.argv[2] ?? 10);
const PER = Number(process.argv[3] ?? 3);
// 128 MiB: the tiny guest's kernel and initramfs do not reliably boot in 64.
const MEM_MB = 128;
// 30 guests booting at once on two TCG cores: the kernel's timer check can fail and panic
// ("IO-APIC + timer doesn't work"); skipping it changes nothing measured here.
const CMDLINE = "console=ttyS0 no_timer_check";
// Preloaded into qvmd and (inherited) its DNS process: on SIGUSR2, one line of V8's view of its
// memory on stderr (both write to qvmd's log). Plain JS in a world-readable file: the DNS process
// runs as nobody and without tsx.
const PROBE = `process.on("SIGUSR2", () => {
  const v8 = require("node:v8");
  const mb = (b) => Math.round(b / 10485.76) / 100;
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_size)]));
  process.stderr.write("qvx-mem " + JSON.stringify({ pid: process.pid, rss: mb(m.rss), heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), spaces }) + "\\n");
});
`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFile(file: string, pattern: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(pattern)) return true;
    await sleep(500);
  }
  return false;
}

async function main(): Promise<void> {
  const g = await guestDir("x86_64");
  const probe = path.join(fs.mkdtempSync("/tmp/qvx-memprobe-"), "probe.js");
  fs.writeFileSync(probe, PROBE, { mode: 0o644 });
  fs.chmodSync(path.dirname(probe), 0o755);
  const agent = new TestAgent({ NODE_OPTIONS: `--require ${probe}` });
  const c = await agent.start();
  const pid = agent.proc!.pid!;
  const idle = statusKb(pid, "VmRSS");
  let loaded = 0;
  let peak = 0;
  let helperRss = 0;
  let helperPeak = 0;
  let ours = { rss: 0, guest: 0 };
  let bare = { rss: 0, guest: 0 };
  let barePid = 0;
  let group = { total: 0, anon: 0, file: 0 };
  let ourPss = { pss: 0, anon: 0, file: 0 };
  let nodes = 0;
  let v8view: string[] = [];
  let active = { qvmd: 0, dns: 0, answered: 0, asked: 0 };
  // The bare QEMU runs as the sandbox user, as qvmd's do: a directory it may enter, files it owns.
  const sandbox = await qemuSandbox();
  const bareDir = sandboxDir("qvx-membare-", sandbox);
  try {
    await c.applyImage({
      id: "img",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
      cmdline: CMDLINE,
    });
    for (let n = 0; n < NETS; n++) {
      await c.applyNetwork({ id: `qm${n}`, cidr: `10.230.${n}.0/24`, nat: true, dhcp: { enabled: true } });
      await c.applyDnsForwarder({
        id: `qmd${n}`,
        network_id: `qm${n}`,
        zone: "bench.internal",
        upstreams: ["127.0.0.1"],
      });
      for (let i = 0; i < PER; i++)
        await c.applyInstance({
          id: `qm${n}i${i}`,
          image_id: "img",
          memory_mb: MEM_MB,
          nics: [
            {
              network_id: `qm${n}`,
              mac: `52:54:00:4c:${n.toString(16).padStart(2, "0")}:${(16 + i).toString(16)}`,
            },
          ],
          running: true,
          wait_for_ip_seconds: 0,
        });
    }
    // Every guest has booted and taken its lease (the forwarders follow their addresses).
    const until = Date.now() + 600000;
    for (;;) {
      const ids = Array.from({ length: NETS * PER }, (_, k) => `qm${Math.floor(k / PER)}i${k % PER}`);
      const got = await Promise.all(ids.map((id) => c.getInstance(id)));
      if (got.every((x) => x.nics[0]?.ip)) break;
      if (Date.now() > until) {
        const late = ids.filter((_, k) => !got[k]!.nics[0]?.ip);
        const tail = fs
          .readFileSync(path.join(agent.stateDir, "instances", late[0]!, "serial.log"), "utf8")
          .split("\n")
          .slice(-15)
          .join("\n");
        throw new Error(
          `no address within 10 min for ${late.join(", ")}; serial log of ${late[0]}:\n${tail}`,
        );
      }
      await sleep(2000);
    }
    await sleep(5000);
    loaded = statusKb(pid, "VmRSS");
    peak = statusKb(pid, "VmHWM");
    const kids = helpers(pid);
    for (const h of kids) {
      helperRss += statusKb(h, "VmRSS");
      helperPeak += statusKb(h, "VmHWM");
    }
    group = groupRss([pid, ...kids]);
    for (const p of [pid, ...kids]) {
      const x = pss(p);
      ourPss = { pss: ourPss.pss + x.pss, anon: ourPss.anon + x.anon, file: ourPss.file + x.file };
    }
    nodes = sameExecutable(pid);
    for (const p of [pid, ...kids]) process.kill(p, "SIGUSR2");
    await sleep(1000);
    v8view = fs
      .readFileSync(agent.logFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("qvx-mem "))
      .map((l) => `${l.slice(8)}`);

    // The same processes while working, before the next quiet period's trim (working.ts).
    active = await measureWorking(c, pid, kids, NETS, PER);

    // One of ours vs a bare QEMU with its very argv (own files, own TAP), after the same boot.
    const qpid = pidFromFile(path.join(agent.runDir, `${names.qemu("qm0i0")}.pid`)) ?? 0;
    ours = qemuRss(qpid, MEM_MB);
    const argv = parseCmdline(fs.readFileSync(`/proc/${qpid}/cmdline`));
    const disk = path.join(bareDir, "disk.qcow2");
    const seed = path.join(bareDir, "seed.iso");
    fs.copyFileSync(path.join(agent.stateDir, "instances", "qm0i0", "seed.iso"), seed);
    const img = await c.getImage("img");
    await run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img.path, disk]);
    giveTo(disk, sandbox);
    fs.chownSync(seed, 0, sandbox.gid);
    fs.chmodSync(seed, 0o640);
    fs.writeFileSync(path.join(bareDir, "serial"), "");
    giveTo(path.join(bareDir, "serial"), sandbox);
    await run("ip", ["-n", names.netns("qm0"), "tuntap", "add", "dev", "qvxmt0", "mode", "tap"]);
    await run("ip", ["-n", names.netns("qm0"), "link", "set", "qvxmt0", "master", names.bridge("qm0"), "up"]);
    const launch = {
      name: "qvx-membare",
      arch: "x86_64" as const,
      accel: (argv[argv.indexOf("-accel") + 1] ?? "tcg") as "tcg" | "kvm",
      cpus: 1,
      memoryMb: MEM_MB,
      pidFile: path.join(bareDir, "pid"),
      qmpSocket: path.join(bareDir, "qmp"),
      serialLog: path.join(bareDir, "serial"),
      disk: { path: disk, format: "qcow2" as const },
      seed,
      kernel: argv[argv.indexOf("-kernel") + 1]!,
      initrd: argv[argv.indexOf("-initrd") + 1]!,
      cmdline: CMDLINE,
      firmware: "bios" as const,
      nics: [{ tap: "qvxmt0", mac: "52:54:00:4d:00:10" }],
      sandbox,
    };
    console.log(`bare: ${qemuBinary("x86_64")} ${buildQemuArgv(launch).join(" ")}`);
    barePid = await launchQemu(launch, { netns: names.netns("qm0") });
    // The same point of boot as ours: the guest's DHCP lease.
    const leases = path.join(agent.stateDir, "networks", "qm0", "leases");
    if (!(await waitFile(leases, "52:54:00:4d:00:10", 300000))) throw new Error("bare guest took no lease");
    await sleep(5000);
    bare = qemuRss(barePid, MEM_MB);
    ours = qemuRss(qpid, MEM_MB);
  } finally {
    if (barePid)
      await stopQemu(
        {
          name: "qvx-membare",
          sandbox,
          pidFile: path.join(bareDir, "pid"),
          qmpSocket: path.join(bareDir, "qmp"),
          pid: barePid,
        },
        { graceMs: 0 },
      );
    fs.rmSync(bareDir, { recursive: true, force: true });
    await run("ip", ["-n", names.netns("qm0"), "link", "delete", "qvxmt0"], { reject: false });
    await agent.stop();
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
  }
  const mb = (kb: number) => kb / 1024;
  const oursOver = mb(ours.rss - ours.guest);
  const bareOver = mb(bare.rss - bare.guest);
  console.log(
    `memory: ${NETS} networks x ${PER} instances (${MEM_MB} MiB, TCG), a DNS forwarder per network`,
  );
  console.log(
    `qvmd RSS: idle ${mb(idle).toFixed(1)} MB, loaded ${mb(loaded).toFixed(1)} MB, peak (VmHWM) ${mb(peak).toFixed(1)} MB; ` +
      `its DNS forwarder process ${mb(helperRss).toFixed(1)} MB (peak ${mb(helperPeak).toFixed(1)}); ` +
      `together ${mb(loaded + helperRss).toFixed(1)} MB (goal <= 120 MB)`,
  );
  console.log(
    `the same while working (${active.answered}/${active.asked} DNS queries answered, then a Get of every object, ` +
      `measured before the next quiet period): qvmd ${mb(active.qvmd).toFixed(1)} MB, DNS process ${mb(active.dns).toFixed(1)} MB, ` +
      `together ${mb(active.qvmd + active.dns).toFixed(1)} MB`,
  );
  console.log(
    `qvmd and its DNS process with the files both map (the node executable) counted once: ` +
      `${mb(group.total).toFixed(1)} MB (anonymous ${mb(group.anon).toFixed(1)}, files ${mb(group.file).toFixed(1)})`,
  );
  console.log(
    `qvmd and its DNS process, PSS (each shared page divided among the processes mapping it; ` +
      `${nodes} processes on the host ran the same node executable): ${mb(ourPss.pss).toFixed(1)} MB ` +
      `(anonymous ${mb(ourPss.anon).toFixed(1)}, files ${mb(ourPss.file).toFixed(1)}) (goal <= 120 MB)`,
  );
  console.log(`V8's view (MB), qvmd ${pid} first:\n${v8view.join("\n")}`);
  console.log(
    `QEMU RSS outside guest RAM: ours ${oursOver.toFixed(1)} MB (RSS ${mb(ours.rss).toFixed(1)}, guest ${mb(ours.guest).toFixed(1)}), ` +
      `bare ${bareOver.toFixed(1)} MB (RSS ${mb(bare.rss).toFixed(1)}, guest ${mb(bare.guest).toFixed(1)}), ratio ${(oursOver / bareOver).toFixed(2)}x (goal <= 1.2x)`,
  );
  const base = { bench: "memory", unit: "MB", better: "lower" as const };
  record({
    ...base,
    figure: `qvmd + its DNS process RSS, ${NETS} nets x ${PER} VMs + forwarders`,
    ours: mb(loaded + helperRss),
    peerName: "absolute",
    goal: "<= 120 MB",
    limit: 120,
    note: `qvmd ${mb(loaded).toFixed(0)} MB (peak ${mb(peak).toFixed(0)}), DNS process ${mb(helperRss).toFixed(0)} MB`,
  });
  record({
    ...base,
    figure: `the same, measured while working (queries, Gets)`,
    ours: mb(active.qvmd + active.dns),
    peerName: "absolute",
    goal: "<= 120 MB",
    limit: 120,
    note: `qvmd ${mb(active.qvmd).toFixed(0)} MB, DNS process ${mb(active.dns).toFixed(0)} MB`,
  });
  record({
    ...base,
    figure: `the same, the node executable's pages counted once`,
    ours: mb(group.total),
    peerName: "absolute",
    goal: "<= 120 MB",
    limit: 120,
    note: `anonymous ${mb(group.anon).toFixed(0)} MB, mapped files ${mb(group.file).toFixed(0)} MB`,
  });
  record({
    ...base,
    figure: `qvmd + its DNS process PSS, the same load`,
    ours: mb(ourPss.pss),
    peerName: "absolute",
    goal: "<= 120 MB",
    limit: 120,
    note: `anonymous ${mb(ourPss.anon).toFixed(0)} MB, files ${mb(ourPss.file).toFixed(0)} MB; ${nodes} node processes on the host`,
  });
  record({
    ...base,
    figure: "QEMU RSS minus guest RAM",
    ours: oursOver,
    peer: bareOver,
    peerName: "bare QEMU, same argv",
    goal: "<= 1.2x",
    limit: 1.2,
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
