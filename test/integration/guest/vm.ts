// Helpers to build and boot the qvm test guest (scripts/guest) under QEMU with user networking.
// Used by the guest boot tests; reusable by other integration tests that need a plain VM.
import type { Options, ResultPromise } from "execa" with { "resolution-mode": "import" };
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { GuestArch } from "../../helpers/guest";

// execa is ESM-only; this CommonJS test code loads it lazily (as agent/src/util/exec does).
type Execa = typeof import("execa", { with: { "resolution-mode": "import" } });
let loaded: Promise<Execa> | undefined;
export async function execa(
  file: string,
  args: readonly string[],
  opts: Options = {},
): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const m = await (loaded ??= import("execa"));
  const r = await m.execa(file, args, opts);
  return { stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), exitCode: r.exitCode };
}

export const repoRoot = path.resolve(__dirname, "../../..");
const guestDir = path.join(repoRoot, "scripts/guest");

export interface SeedFiles {
  userData: string;
  metaData: string;
  networkConfig?: string;
}

/** Writes a NoCloud seed (`.iso` or `.img`) with scripts/guest/make-seed.sh. */
export async function makeSeed(out: string, seed: SeedFiles): Promise<string> {
  const dir = path.dirname(out);
  const base = path.basename(out).replace(/\.[^.]+$/, "");
  const ud = path.join(dir, `${base}.user-data`);
  const md = path.join(dir, `${base}.meta-data`);
  fs.writeFileSync(ud, seed.userData);
  fs.writeFileSync(md, seed.metaData);
  const args = [path.join(guestDir, "make-seed.sh"), out, ud, md];
  if (seed.networkConfig !== undefined) {
    const nc = path.join(dir, `${base}.network-config`);
    fs.writeFileSync(nc, seed.networkConfig);
    args.push(nc);
  }
  await execa("bash", args);
  return out;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

export interface VmOptions {
  arch: GuestArch;
  /** direct kernel boot when set, else boot from `disk` */
  kernel?: { vmlinuz: string; initrd: string; cmdline: string };
  /** qcow2 disk (a copy or overlay: QEMU writes to it) */
  disk?: string;
  seed: string;
  memoryMb?: number;
}

/** One QEMU process (TCG, user networking with SSH forwarded to a loopback port, serial to a file). */
export class TestVm {
  readonly dir: string;
  readonly serialLog: string;
  readonly qmpSocket: string;
  sshPort = 0;
  private proc?: ResultPromise;
  private exited = false;
  private stderr = "";
  startedAt = 0;

  constructor(readonly opts: VmOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "pq-guest-vm-"));
    this.serialLog = path.join(this.dir, "serial.log");
    this.qmpSocket = path.join(this.dir, "qmp.sock");
  }

  async start(): Promise<void> {
    const { execa: spawn } = await (loaded ??= import("execa"));
    this.sshPort = await freePort();
    const o = this.opts;
    const args: string[] = [
      "-accel",
      "tcg",
      "-m",
      String(o.memoryMb ?? 512),
      "-smp",
      "1",
      "-display",
      "none",
    ];
    args.push("-monitor", "none", "-serial", `file:${this.serialLog}`);
    args.push("-qmp", `unix:${this.qmpSocket},server=on,wait=off`);
    let bin: string;
    if (o.arch === "x86_64") {
      bin = "qemu-system-x86_64";
      args.push("-machine", "q35");
    } else {
      bin = "qemu-system-aarch64";
      const vars = path.join(this.dir, "AAVMF_VARS.fd");
      fs.copyFileSync("/usr/share/AAVMF/AAVMF_VARS.fd", vars);
      args.push("-machine", "virt", "-cpu", "cortex-a57");
      args.push("-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd");
      args.push("-drive", `if=pflash,format=raw,file=${vars}`);
    }
    if (o.kernel)
      args.push("-kernel", o.kernel.vmlinuz, "-initrd", o.kernel.initrd, "-append", o.kernel.cmdline);
    if (o.disk) args.push("-drive", `file=${o.disk},format=qcow2,if=virtio`);
    args.push("-drive", `file=${o.seed},format=raw,if=virtio,readonly=on`);
    args.push("-netdev", `user,id=n0,hostfwd=tcp:127.0.0.1:${this.sshPort}-:22`);
    args.push("-device", "virtio-net-pci,netdev=n0");
    this.startedAt = Date.now();
    this.proc = spawn(bin, args, { reject: false, stdin: "ignore" });
    this.proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    void this.proc.then(() => (this.exited = true));
  }

  serial(): string {
    try {
      return fs.readFileSync(this.serialLog, "latin1");
    } catch {
      return "";
    }
  }

  /** Polls the serial log until `re` matches; returns the match and the seconds since start. */
  async waitFor(re: RegExp, timeoutMs: number): Promise<{ match: RegExpMatchArray; seconds: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.serial().match(re);
      if (m) return { match: m, seconds: (Date.now() - this.startedAt) / 1000 };
      if (this.exited || Date.now() > deadline) {
        const why = this.exited ? "QEMU exited" : `not seen within ${timeoutMs / 1000} s`;
        throw new Error(
          `serial: ${re} ${why}\n--- qemu stderr:\n${tail(this.stderr, 10)}\n--- serial log tail:\n${tail(this.serial(), 30)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Runs a command over SSH as root (retried until `timeoutMs` while the connection fails). */
  async ssh(key: string, command: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      const r = await execa(
        "ssh",
        [
          "-i",
          key,
          "-p",
          String(this.sshPort),
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "BatchMode=yes",
          "-o",
          "ConnectTimeout=15",
          "-o",
          "LogLevel=ERROR",
          "root@127.0.0.1",
          command,
        ],
        { reject: false, timeout: 60_000, stdin: "ignore" },
      );
      if (r.exitCode === 0) return String(r.stdout);
      last = `exit ${r.exitCode}: ${r.stderr}`;
      // 255 = ssh's own failure (connect/auth); anything else is the remote command's status
      if (r.exitCode !== 255 || Date.now() > deadline || this.exited) {
        throw new Error(`ssh ${command}: ${last}\n--- serial log tail:\n${tail(this.serial(), 20)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Sends one QMP command (after the capabilities handshake); returns the parsed reply. */
  async qmp(execute: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.qmpSocket);
      let buf = "";
      let step = 0;
      sock.setTimeout(10_000, () => sock.destroy(new Error("QMP timeout")));
      sock.on("error", reject);
      sock.on("data", (d) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
          buf = buf.slice(nl + 1);
          if ("event" in msg) continue;
          if (step === 0) sock.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
          else if (step === 1) sock.write(JSON.stringify({ execute }) + "\n");
          else {
            sock.end();
            return resolve(msg);
          }
          step++;
        }
      });
    });
  }

  /** Waits for QEMU to exit on its own; false when it is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    return this.exited;
  }

  /** Kills QEMU (if running) and removes the VM's directory. */
  async destroy(): Promise<void> {
    if (this.proc && !this.exited) {
      this.proc.kill("SIGTERM");
      if (!(await this.waitExit(10_000))) {
        this.proc.kill("SIGKILL");
        await this.waitExit(10_000);
      }
    }
    if (this.proc) await this.proc;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
