// A private libvirtd for the benchmarks, started and stopped by the bench itself (no systemd here):
// its sockets, config and logs live in a qvx- directory (so the leak check sees a leftover daemon),
// Debian's "default" network is kept from autostarting, and what libvirt leaves on the host after
// its last network (its LIBVIRT_* iptables chains, ip_forward = 1) is undone at stop.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";

const LIBVIRTD = "/usr/sbin/libvirtd";
const VIRTLOGD = "/usr/sbin/virtlogd";
const AUTOSTART_DEFAULT = "/etc/libvirt/qemu/networks/autostart/default.xml";
const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";
const QEMU_CONF = "/etc/libvirt/qemu.conf";
const TABLES = ["filter", "nat", "mangle"];
const LEFTOVER_DIRS = [
  "/etc/libvirt/qemu",
  "/run/libvirt/network",
  "/var/log/libvirt/qemu",
  "/var/lib/libvirt/dnsmasq",
  "/run/libvirt/qemu",
];

async function libvirtChains(tool: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const t of TABLES) {
    const r = await run(tool, ["-t", t, "-S"], { reject: false });
    for (const l of r.stdout.split("\n")) {
      const m = /^-N (LIBVIRT_\w+)$/.exec(l.trim());
      if (m) out.add(`${t} ${m[1]}`);
    }
  }
  return out;
}

/** "family name" of every nft table on the host. */
async function nftTables(): Promise<Set<string>> {
  const r = await run("nft", ["list", "tables"], { reject: false });
  return new Set(r.stdout.split("\n").flatMap((l) => /^table (\S+ \S+)$/.exec(l.trim())?.[1] ?? []));
}

/**
 * What libvirt keeps of our objects after they are gone (dnsmasq pid files, per-domain logs, lease
 * files), and a domain definition a crashed run left behind. Only qvx-named entries.
 */
function removeLeftovers(): void {
  for (const dir of LEFTOVER_DIRS)
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : [])
      if (f.startsWith("qvx")) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}

export class Libvirtd {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-libvirt-"));
  readonly uri = `qemu+unix:///system?socket=${this.dir}/run/libvirt-sock`;
  /** Where guest files go: libvirt runs QEMU as libvirt-qemu, which cannot read root's home. */
  readonly pool = path.join(this.dir, "pool");
  private procs: ChildProcess[] = [];
  private chainsBefore = new Map<string, Set<string>>();
  private tablesBefore = new Set<string>();
  private ipForwardBefore = "";
  private autostartMoved = false;

  async start(): Promise<void> {
    for (const b of [LIBVIRTD, VIRTLOGD])
      if (!fs.existsSync(b)) throw new Error(`${b} is missing: run 'make bench-setup'`);
    const other = await run("pgrep", ["-x", "libvirtd"], { reject: false });
    if (other.stdout.trim())
      throw new Error(`a libvirtd already runs (pid ${other.stdout.trim()}); stop it first`);
    removeLeftovers();
    fs.chmodSync(this.dir, 0o755);
    fs.mkdirSync(path.join(this.dir, "run"));
    fs.mkdirSync(this.pool, { mode: 0o755 });
    for (const tool of ["iptables", "ip6tables"]) this.chainsBefore.set(tool, await libvirtChains(tool));
    this.tablesBefore = await nftTables();
    this.ipForwardBefore = fs.readFileSync(IP_FORWARD, "utf8").trim();
    if (fs.existsSync(AUTOSTART_DEFAULT)) {
      fs.renameSync(AUTOSTART_DEFAULT, path.join(this.dir, "default.xml.autostart"));
      this.autostartMoved = true;
    }
    const conf = path.join(this.dir, "libvirtd.conf");
    fs.writeFileSync(
      conf,
      [
        `unix_sock_dir = "${this.dir}/run"`,
        'auth_unix_rw = "none"',
        'auth_unix_ro = "none"',
        `log_outputs = "${process.env.LIBVIRT_BENCH_LOG ? 1 : 3}:file:${this.dir}/libvirtd.log"`,
        // LIBVIRT_BENCH_LOG_FILTERS: other modules' debug lines (e.g. "1:network 1:util.command").
        ...(process.env.LIBVIRT_BENCH_LOG
          ? [`log_filters = "${process.env.LIBVIRT_BENCH_LOG_FILTERS ?? "1:qemu 1:util.filecache"} 3:*"`]
          : []),
      ].join("\n") + "\n",
    );
    const vconf = path.join(this.dir, "virtlogd.conf");
    fs.writeFileSync(vconf, `log_outputs = "3:file:${this.dir}/virtlogd.log"\n`);
    const log = fs.openSync(path.join(this.dir, "daemons.out"), "a");
    this.procs.push(spawn(VIRTLOGD, ["--config", vconf], { stdio: ["ignore", log, log] }));
    // On this host /dev/kvm exists (root-only) but runs no guest. libvirt's capability probe runs
    // QEMU as root and records KVM as enabled, while its usability check (as the QEMU user,
    // libvirt-qemu) says it is not: the cache never validates and every lookup re-probes QEMU
    // (~4 s, about 20 times per domain start). On a normal host /dev/kvm is group kvm and both
    // agree; here the QEMU user is root instead, through a qemu.conf bind-mounted in libvirtd's own
    // mount namespace (the host's file is untouched). Both sides then run TCG, as asked.
    const qconf = path.join(this.dir, "qemu.conf");
    fs.writeFileSync(
      qconf,
      (fs.existsSync(QEMU_CONF) ? fs.readFileSync(QEMU_CONF, "utf8") : "") +
        '\nuser = "root"\ngroup = "root"\n',
    );
    const mask = fs.existsSync(QEMU_CONF) ? `mount --bind ${qconf} ${QEMU_CONF} && ` : "";
    this.procs.push(
      spawn(
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          `${mask}exec ${LIBVIRTD} --config "$1" --pid-file "$2"`,
          "sh",
          conf,
          path.join(this.dir, "libvirtd.pid"),
        ],
        { stdio: ["ignore", log, log] },
      ),
    );
    fs.closeSync(log);
    const until = Date.now() + 30000;
    for (;;) {
      const r = await run("virsh", ["-c", this.uri, "version"], { reject: false });
      if (r.exitCode === 0) return this.strace();
      if (Date.now() > until || this.procs.some((p) => p.exitCode !== null))
        throw new Error(`libvirtd did not start: ${r.stderr}\n${this.logTail()}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /**
   * LIBVIRT_BENCH_STRACE=<file>: libvirtd's system calls from here on, every thread and child
   * (`strace -f -ttt -T`), for a profile of what its calls do; it slows libvirtd down.
   */
  private async strace(): Promise<void> {
    const out = process.env.LIBVIRT_BENCH_STRACE;
    if (!out) return;
    const pid = fs.readFileSync(path.join(this.dir, "libvirtd.pid"), "utf8").trim();
    const p = spawn("strace", ["-f", "-ttt", "-T", "-s", "200", "-o", out, "-p", pid], { stdio: "ignore" });
    this.procs.push(p);
    // strace prints nothing when it has attached; a while later it has.
    await new Promise((res) => setTimeout(res, 1000));
  }

  logTail(): string {
    const f = path.join(this.dir, "daemons.out");
    const l = path.join(this.dir, "libvirtd.log");
    return [f, l]
      .filter((x) => fs.existsSync(x))
      .map((x) => fs.readFileSync(x, "utf8").split("\n").slice(-15).join("\n"))
      .join("\n");
  }

  async stop(): Promise<void> {
    for (const p of this.procs.reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 10000);
      await gone;
      clearTimeout(t);
    }
    // libvirt keeps its chains (and the jumps to them) after its last network is gone.
    for (const tool of ["iptables", "ip6tables"]) {
      const before = this.chainsBefore.get(tool) ?? new Set();
      const mine = [...(await libvirtChains(tool))].filter((c) => !before.has(c));
      for (const c of mine) {
        const [table, chain] = c.split(" ") as [string, string];
        const rules = (await run(tool, ["-t", table, "-S"], { reject: false })).stdout.split("\n");
        for (const r of rules) {
          const m = /^-A (\S+) (.*-j (\S+))$/.exec(r.trim());
          if (m && m[3] === chain && !m[1]!.startsWith("LIBVIRT_"))
            await run(tool, ["-t", table, "-D", m[1]!, ...m[2]!.split(" ")], { reject: false });
        }
      }
      for (const c of mine) {
        const [table, chain] = c.split(" ") as [string, string];
        await run(tool, ["-t", table, "-F", chain], { reject: false });
      }
      for (const c of mine) {
        const [table, chain] = c.split(" ") as [string, string];
        await run(tool, ["-t", table, "-X", chain], { reject: false });
      }
      // iptables-nft made its tables for libvirt's first rule; left with only their base chains,
      // they would give every later qvmd a FORWARD chain to keep accept rules in (and the benches
      // after this one conditions this one did not start with). Only while empty and accepting:
      // a policy someone set since is theirs.
      const family = tool === "iptables" ? "ip" : "ip6";
      for (const t of TABLES) {
        if (this.tablesBefore.has(`${family} ${t}`) || !(await nftTables()).has(`${family} ${t}`)) continue;
        const rules = (await run(tool, ["-t", t, "-S"], { reject: false })).stdout.split("\n");
        if (rules.every((r) => r.trim() === "" || /^-P \S+ ACCEPT$/.test(r.trim())))
          await run("nft", ["delete", "table", family, t], { reject: false });
      }
    }
    removeLeftovers();
    const keep = process.env.LIBVIRT_BENCH_LOG;
    if (keep && fs.existsSync(path.join(this.dir, "libvirtd.log")))
      fs.copyFileSync(path.join(this.dir, "libvirtd.log"), keep);
    if (this.ipForwardBefore) fs.writeFileSync(IP_FORWARD, `${this.ipForwardBefore}\n`);
    if (this.autostartMoved) fs.renameSync(path.join(this.dir, "default.xml.autostart"), AUTOSTART_DEFAULT);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
