// Gives memory back once a burst of work is over (issue 13, memory): V8 keeps the old space it grew
// to at its peak (its memory reducer does not start in a process that goes quiet after a burst),
// glibc keeps freed malloc memory (the compiler's zones of every module loaded at startup), and
// the kernel keeps the executable's startup pages mapped. After the process has been quiet for a
// while, a full GC and the native trim (agent/native/memtrim) give all three back. Work arriving
// just postpones the trim; nothing waits for it.
import * as fs from "node:fs";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { assets } from "../assets";

type Trim = (executable: string) => number;

interface State {
  trim: Trim;
  quietMs: number;
  gc?: () => void;
  timer?: NodeJS.Timeout;
}

let state: State | undefined;

function load(): Trim {
  const m = { exports: {} as { trim?: Trim } };
  // dlopen rather than require: it also works inside a single-executable build.
  process.dlopen(m, assets.memtrim);
  if (typeof m.exports.trim !== "function") throw new Error("memtrim.node exports no trim");
  return m.exports.trim;
}

/** The GC that V8 runs on gc(): the whole heap, so the old space shrinks to what is alive. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/**
 * Trims after `quietMs` without noteActivity(), and once at the start. Loads the addon now (the
 * DNS forwarder process calls this before it drops root: the file need not be readable by nobody).
 * `fullGc`: run V8's full GC first (qvmd; the forwarder process's heap is small and it answers
 * queries between its control messages). Returns why it cannot trim, if it cannot (no addon).
 */
export function startMemTrim(quietMs: number, fullGc: boolean): string | undefined {
  if (state) return undefined;
  if (!fs.existsSync(assets.memtrim)) return `${assets.memtrim} is missing`;
  try {
    state = { trim: load(), quietMs, gc: fullGc ? exposeGc() : undefined };
  } catch (e) {
    return String(e);
  }
  noteActivity();
  return undefined;
}

/** Work happened: the trim waits for the next quiet period. A no-op unless startMemTrim ran. */
export function noteActivity(): void {
  const s = state;
  if (!s) return;
  if (s.timer) s.timer.refresh();
  else {
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.gc?.();
      s.trim(process.execPath);
    }, s.quietMs);
    s.timer.unref();
  }
}
