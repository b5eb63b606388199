// Notices changes to files that are replaced by rename (resolv.conf by resolvconf/NetworkManager,
// /etc/hosts by editors): a watch on the file itself would follow the old inode, so the parent
// directory is watched and events are filtered by name. Where a directory cannot be watched
// (missing, no inotify), a one-second stat poll stands in.
import * as fs from "node:fs";
import * as path from "node:path";

export interface Watch {
  close(): void;
}

const POLL_MS = 1000;

function fingerprint(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

export function watchFiles(files: string[], onChange: () => void, debounceMs = 50): Watch {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => !closed && onChange(), debounceMs);
  };
  const watchers: fs.FSWatcher[] = [];
  const polled: string[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const dir = path.dirname(f);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(path.basename(f));
  }
  for (const [dir, names] of byDir) {
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, filename) => {
        // Some platforms omit the name; re-reading once too often is harmless.
        if (filename === null || names.has(filename.toString())) fire();
      });
      w.on("error", () => {
        w.close();
        for (const n of names) polled.push(path.join(dir, n));
      });
      watchers.push(w);
    } catch {
      for (const n of names) polled.push(path.join(dir, n));
    }
  }
  const seen = new Map<string, string>(polled.map((f) => [f, fingerprint(f)]));
  const poll = setInterval(() => {
    for (const f of polled) {
      const fp = fingerprint(f);
      if (seen.has(f) && seen.get(f) !== fp) fire();
      seen.set(f, fp);
    }
  }, POLL_MS);
  poll.unref();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}
