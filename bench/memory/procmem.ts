// How much memory a process uses, read from /proc: its RSS by kind and mapped file (smaps), its PSS
// (smaps_rollup), a group's RSS with shared files counted once, a QEMU's RSS with its guest RAM
// apart, and qvmd's helpers.
import * as fs from "node:fs";

/** qvmd's children that are part of it: the DNS forwarder process (forked node, "qvmd" in argv). */
export function helpers(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && /node/.test(fs.readFileSync(`/proc/${e}/cmdline`, "utf8"))) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** RSS split by kind, and per mapped file (kB), from /proc/<pid>/smaps. */
export function rssByMapping(pid: number): { anon: number; files: Map<string, number> } {
  let anon = 0;
  const files = new Map<string, number>();
  let file = "";
  for (const l of fs.readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(l);
    if (head) {
      file = head[1] !== "0" && head[2]!.startsWith("/") ? head[2]! : "";
      continue;
    }
    const m = /^Rss:\s+(\d+) kB/.exec(l);
    if (!m) continue;
    if (file) files.set(file, (files.get(file) ?? 0) + Number(m[1]));
    else anon += Number(m[1]);
  }
  return { anon, files };
}

/**
 * The RSS of a group of processes with the pages of files they all map (the node executable)
 * counted once: each file's largest RSS among them, plus every process's anonymous memory.
 */
export function groupRss(pids: number[]): { total: number; anon: number; file: number } {
  const files = new Map<string, number>();
  let anon = 0;
  for (const pid of pids) {
    const r = rssByMapping(pid);
    anon += r.anon;
    for (const [f, kb] of r.files) files.set(f, Math.max(files.get(f) ?? 0, kb));
  }
  const file = [...files.values()].reduce((a, b) => a + b, 0);
  return { total: anon + file, anon, file };
}

export function statusKb(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** RSS of a QEMU (kB) and the part of it that is guest RAM (the anonymous mapping of memMb). */
export function qemuRss(pid: number, memMb: number): { rss: number; guest: number } {
  const smaps = fs.readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n");
  let rss = 0;
  let guest = 0;
  let size = 0;
  for (const l of smaps) {
    const m = /^(\w+):\s+(\d+) kB/.exec(l);
    if (!m) continue;
    if (m[1] === "Size") size = Number(m[2]);
    if (m[1] === "Rss") {
      rss += Number(m[2]);
      if (size === memMb * 1024) guest += Number(m[2]);
    }
  }
  return { rss, guest };
}

/**
 * Proportional set size (kB, /proc/<pid>/smaps_rollup): each page divided by the number of
 * processes that map it, the usual way to add up processes that share pages. A page of the node
 * executable shared with any other node process on the host (not only qvmd's) counts a share too.
 */
export function pss(pid: number): { pss: number; anon: number; file: number } {
  const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(t)?.[1] ?? NaN);
  return { pss: kb("Pss"), anon: kb("Pss_Anon"), file: kb("Pss_File") };
}

/** How many processes on the host run the same executable as `pid` (they share its pages). */
export function sameExecutable(pid: number): number {
  const exe = fs.readlinkSync(`/proc/${pid}/exe`);
  let n = 0;
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/exe`) === exe) n++;
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return n;
}
