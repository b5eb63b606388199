// A 512-byte x86 boot sector that proves a VM really executes guest code: it writes 0x2a to
// isa-debug-exit, which ends QEMU with exit status (0x2a << 1) | 1.
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { temp } from "../constants";
import { run } from "../util/exec";
import { type Sandbox, sandboxArgv } from "../util/sandbox";
import { SECCOMP, cpuModel } from "./argv";
import type { Accel } from "./types";

export const PROBE_EXIT_CODE = (0x2a << 1) | 1;

export function probeBootSector(): Buffer {
  const sector = Buffer.alloc(512);
  // mov al,0x2a; out 0xf4,al; hlt; jmp $ (in case the exit device is missing)
  Buffer.from([0xb0, 0x2a, 0xe6, 0xf4, 0xf4, 0xeb, 0xfe]).copy(sector, 0);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

export interface BootSectorRun {
  /** The guest code ran: QEMU exited with PROBE_EXIT_CODE. */
  ran: boolean;
  exitCode: number;
  timedOut: boolean;
  /** Last two non-empty stderr lines: an abort prints its cause (e.g. an MSR) just before the assertion. */
  stderrTail: string;
}

/**
 * Boots the probe sector under `accel` with the CPU model real launches use with it, as the user
 * and under the sandbox real launches get (so /dev/kvm must open for that user). `name` shows in
 * ps (and in leak checks). QEMU is killed when `timeoutMs` passes: a guest stuck in KVM never exits.
 */
export async function runBootSector(opts: {
  accel: Accel;
  timeoutMs: number;
  sandbox: Sandbox;
  name?: string;
}): Promise<BootSectorRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), temp.probeDir));
  try {
    const sector = path.join(dir, "sector.img");
    await fs.writeFile(sector, probeBootSector(), { mode: 0o600 });
    await fs.chown(sector, opts.sandbox.uid, opts.sandbox.gid);
    await fs.chown(dir, opts.sandbox.uid, opts.sandbox.gid);
    // q35's SeaBIOS does not boot a one-sector AHCI disk, so the probe uses pc with a floppy; what
    // the probe must share with real launches is the accelerator and the CPU model.
    const started = performance.now();
    const [file, ...args] = sandboxArgv(opts.sandbox, [
      "qemu-system-x86_64",
      "-name",
      opts.name ?? temp.probeName,
      "-accel",
      opts.accel,
      "-machine",
      "pc",
      "-cpu",
      cpuModel("x86_64", opts.accel),
      "-display",
      "none",
      "-nodefaults",
      "-no-user-config",
      "-device",
      "isa-debug-exit,iobase=0xf4,iosize=0x04",
      "-drive",
      `file=${sector.replaceAll(",", ",,")},format=raw,if=floppy`,
      "-serial",
      "none",
      "-sandbox",
      SECCOMP,
    ]);
    const r = await run(file!, args, { reject: false, timeoutMs: opts.timeoutMs });
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    // run() reports any death by signal as -1, an abort as much as our kill; elapsed time tells them apart.
    const timedOut = r.exitCode === -1 && performance.now() - started >= opts.timeoutMs;
    return {
      ran: r.exitCode === PROBE_EXIT_CODE,
      exitCode: r.exitCode,
      timedOut,
      stderrTail: lines
        .slice(-2)
        .map((l) => l.trim())
        .join(" | "),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
