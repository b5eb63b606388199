// The tiny test guest (scripts/guest/build.sh, cached by its inputs) as the tests use it: where
// its files are, and the one Image every test boots from it.
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { ImageSpec } from "@pulumi-qemu/api";
import { run } from "../../agent/src/util/exec";

const ROOT = path.resolve(__dirname, "..", "..");

export type GuestArch = "x86_64" | "aarch64";

export interface GuestBuild {
  dir: string;
  vmlinuz: string;
  initrd: string;
  disk: string;
  /** Kernel command line for direct kernel boot (the serial console). */
  cmdline: string;
}

/** Runs scripts/guest/build.sh (returns at once when nothing changed) and names its files. */
export async function buildGuest(arch: GuestArch = "x86_64"): Promise<GuestBuild> {
  const r = await run("bash", [path.join(ROOT, "scripts", "guest", "build.sh"), arch], {
    reject: false,
    timeoutMs: 20 * 60_000,
  });
  const dir = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.exitCode !== 0 || !fs.existsSync(path.join(dir, "vmlinuz")))
    throw new Error(
      `scripts/guest/build.sh ${arch} failed (exit ${r.exitCode}):\n${r.stderr.split("\n").slice(-40).join("\n")}`,
    );
  return {
    dir,
    vmlinuz: path.join(dir, "vmlinuz"),
    initrd: path.join(dir, "initrd.img"),
    disk: path.join(dir, "disk.qcow2"),
    cmdline: fs.readFileSync(path.join(dir, "cmdline"), "utf8").trim(),
  };
}

/** The directory of the built guest. */
export const guestDir = async (arch: GuestArch = "x86_64") => (await buildGuest(arch)).dir;

/** The test guest as an Image: its disk, booted directly from its kernel and initrd. */
export async function guestImage(id: string, arch: GuestArch = "x86_64"): Promise<ImageSpec> {
  const g = await buildGuest(arch);
  return {
    id,
    source: `file://${g.disk}`,
    kernel: `file://${g.vmlinuz}`,
    initrd: `file://${g.initrd}`,
    cmdline: g.cmdline,
    ...(arch === "aarch64" ? { arch: "aarch64", firmware: "uefi" } : {}),
  };
}

/** Serves the guest's files over HTTP, optionally slowly (so a random kill lands mid-download). */
export async function serveGuest(
  dir: string,
  bytesPerTick: () => number,
): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const f = path.join(dir, path.basename(req.url ?? ""));
    if (!fs.existsSync(f)) return void res.writeHead(404).end();
    const data = fs.readFileSync(f);
    res.writeHead(200, { "content-length": data.length });
    let off = 0;
    const tick = () => {
      if (res.destroyed) return;
      const n = bytesPerTick();
      res.write(data.subarray(off, off + n));
      off += n;
      if (off < data.length) setTimeout(tick, 5);
      else res.end();
    };
    tick();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
