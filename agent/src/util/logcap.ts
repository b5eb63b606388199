// Logs a guest or its network can grow at will (a VM's serial console, dnsmasq's log of DHCP
// traffic) are kept under the admin's cap (config logs.maxBytes, finding 9). Both writers append
// (QEMU's chardev with append=on, dnsmasq's log file always), so qvmd can cut a log in place while
// they write: it keeps the newest half, after a line saying how much went. A sweep once a second
// bounds a log by the cap plus what its writer can add in that second; while qvmd is down the
// logs are not cut, and the first sweep after it starts brings them back under the cap.
import * as fs from "node:fs/promises";
import { fstatSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { paths } from "../constants";

export const LOG_SWEEP_MS = 1000;

/** Pure: when a log of `size` bytes is over `maxBytes`, where the kept tail begins (about half the cap). */
export function trimFrom(size: number, maxBytes: number): number | undefined {
  if (size <= maxBytes) return undefined;
  return size - Math.floor(maxBytes / 2);
}

/** Pure: the kept tail, starting at its first whole line (when there is one), after a marker line. */
export function trimmed(tail: Buffer, dropped: number, maxBytes: number): Buffer {
  const nl = tail.indexOf(10);
  const whole = nl >= 0 && nl < tail.length - 1 ? tail.subarray(nl + 1) : tail;
  const marker = `[qvmd: ${dropped + (tail.length - whole.length)} earlier bytes dropped; this log is kept under ${maxBytes} bytes]\n`;
  return Buffer.concat([Buffer.from(marker), whole]);
}

const RW_APPEND = fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_NONBLOCK;

/** Cuts `file` to its newest part when it is over `maxBytes`; true when it did. */
export async function trimLog(file: string, maxBytes: number): Promise<boolean> {
  const fh = await fs.open(file, RW_APPEND | fs.constants.O_NOFOLLOW).catch(() => undefined);
  if (!fh) return false;
  try {
    return await trimOpen(fh, maxBytes);
  } finally {
    await fh.close();
  }
}

/**
 * qvmd's own log: when its descriptor `fd` (stderr) is a regular file opened for appending (the
 * provider starts qvmd so, on /run/qvmd/qvmd.log), it is cut like a guest's log, since every
 * refused call can add to it. Reached through /proc/self/fd, our own descriptor, never a path
 * anyone names; a journal or a pipe is left alone (journald caps its own files).
 */
export async function trimDescriptor(fd: number, maxBytes: number): Promise<boolean> {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isFile() || st.size <= maxBytes) return false;
  // Without O_APPEND the writer would go on at its old offset, past the cut (a sparse hole).
  const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
  if (flags === undefined || (parseInt(flags, 8) & fs.constants.O_APPEND) === 0) return false;
  const fh = await fs.open(`/proc/self/fd/${fd}`, RW_APPEND).catch(() => undefined);
  if (!fh) return false;
  try {
    const again = await fh.stat();
    if (again.dev !== st.dev || again.ino !== st.ino) return false;
    return await trimOpen(fh, maxBytes);
  } finally {
    await fh.close();
  }
}

async function trimOpen(fh: fs.FileHandle, maxBytes: number): Promise<boolean> {
  const st = await fh.stat();
  const from = st.isFile() ? trimFrom(st.size, maxBytes) : undefined;
  if (from === undefined) return false;
  const tail = Buffer.alloc(st.size - from);
  const { bytesRead } = await fh.read(tail, 0, tail.length, from);
  const keep = trimmed(tail.subarray(0, bytesRead), from, maxBytes);
  // The writer's appends between these two calls land before the kept tail: a line out of
  // order at worst, never a hole or an overwrite.
  await fh.truncate(0);
  await fh.write(keep, 0, keep.length);
  return true;
}

/** The logs qvmd caps: every instance's and template's serial log, every network's dnsmasq log. */
export async function cappedLogs(p: ReturnType<typeof paths>): Promise<string[]> {
  const kinds: Array<(id: string) => string> = [p.instanceSerial, p.templateSerial, p.dnsmasqLog];
  const files: string[] = [];
  for (const file of kinds) {
    const dir = path.dirname(path.dirname(file("x")));
    for (const id of await fs.readdir(dir).catch(() => [] as string[])) files.push(file(id));
  }
  return files;
}

/** Sweeps the logs every LOG_SWEEP_MS until stopped. */
export function startLogCap(
  p: ReturnType<typeof paths>,
  maxBytes: number,
  log: (m: string) => void,
  everyMs = LOG_SWEEP_MS,
  /** qvmd's own log's descriptor (its stderr), cut too when it is a file (main passes 2). */
  ownFd?: number,
): { stop(): void; sweep(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Said once per log: a guest that floods its console would otherwise flood qvmd's own log.
  const said = new Set<string>();
  const sweep = async () => {
    if (ownFd !== undefined && (await trimDescriptor(ownFd, maxBytes).catch(() => false)) && !said.has("")) {
      said.add("");
      log(
        `log cap: qvmd's own log went over ${maxBytes} bytes; its oldest part is dropped (and again whenever it does)`,
      );
    }
    for (const f of await cappedLogs(p))
      if ((await trimLog(f, maxBytes).catch(() => false)) && !said.has(f)) {
        said.add(f);
        log(
          `log cap: ${f} went over ${maxBytes} bytes; its oldest part is dropped (and again whenever it does)`,
        );
      }
  };
  const loop = () => {
    timer = setTimeout(() => {
      void sweep().finally(() => {
        if (!stopped) loop();
      });
    }, everyMs);
    timer.unref();
  };
  loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    sweep,
  };
}
