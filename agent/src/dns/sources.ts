// Where upstreams and hosts-file names come from at run time: read once, then re-read whenever the
// watched file changes. A file that is briefly missing or unreadable (mid-rename, mid-edit) keeps
// the last good data and reports the error instead of dropping every upstream.
import * as fs from "node:fs/promises";
import { constants, existsSync, realpathSync } from "node:fs";
import { type HostEntry, parseHostsFile } from "./hosts";
import type { ResolvedOptions } from "./options";
import {
  ETC_RESOLV_CONF,
  SYSTEMD_STUB_FILE,
  type UpstreamAddr,
  chooseAutoUpstreams,
  parseResolvConf,
  parseUpstream,
} from "./resolvconf";
import { type Watch, watchFiles } from "./watch";

export interface UpstreamState {
  servers: UpstreamAddr[];
  ignored: string[];
  error?: string;
}

export interface Source<T> {
  close(): void;
  /** Re-reads now (also what the watch calls). */
  reload(): Promise<T>;
}

/** Paths of the `auto` mode; tests point them into a temporary directory. */
export interface AutoPaths {
  etcResolvConf: string;
  stubFile: string;
}
export const SYSTEM_AUTO_PATHS: AutoPaths = { etcResolvConf: ETC_RESOLV_CONF, stubFile: SYSTEMD_STUB_FILE };

/** Runs one reload at a time, so a slow early read can never overwrite a later one. */
function serialized<T>(fn: () => Promise<T>): () => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return () => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };
}

function toServers(
  addrs: string[],
  self: { address: string; port: number },
  ignored: string[],
): UpstreamAddr[] {
  const out: UpstreamAddr[] = [];
  for (const a of addrs) {
    const u = parseUpstream(a);
    if (typeof u === "string") ignored.push(u);
    // Our own listening address as upstream would be a forwarding loop.
    else if (u.address === self.address && u.port === self.port) ignored.push(`${u.key} is this forwarder`);
    else out.push(u);
  }
  return out;
}

/** The most of a resolv.conf or hosts file a forwarder reads: bigger ones are refused, not read. */
export const WATCHED_FILE_MAX_BYTES = 1024 * 1024;

/**
 * Reads a watched file the caller named, safely: a FIFO, a device or /proc file is refused
 * without blocking (O_NONBLOCK: opening a FIFO does not wait for a writer; fstat then says what
 * it is), and so is anything over WATCHED_FILE_MAX_BYTES (no /dev/zero read into memory).
 */
export async function readWatchedFile(file: string): Promise<string> {
  const fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    if (st.size > WATCHED_FILE_MAX_BYTES)
      throw new Error(`${file} is ${st.size} bytes, more than the ${WATCHED_FILE_MAX_BYTES} read`);
    const buf = Buffer.alloc(Math.min(st.size + 1, WATCHED_FILE_MAX_BYTES + 1));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead > WATCHED_FILE_MAX_BYTES)
      throw new Error(`${file} grew past ${WATCHED_FILE_MAX_BYTES} bytes`);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

export function openUpstreamSource(
  spec: ResolvedOptions["upstreams"],
  self: { address: string; port: number },
  onChange: (s: UpstreamState) => void,
  autoPaths: AutoPaths = SYSTEM_AUTO_PATHS,
): Source<UpstreamState> {
  if (spec.kind === "static") {
    const state: UpstreamState = { servers: spec.servers, ignored: [] };
    return { close() {}, reload: async () => (onChange(state), state) };
  }
  let last: UpstreamState = { servers: [], ignored: [] };
  const read = async (): Promise<UpstreamState> => {
    const file = spec.kind === "resolvConf" ? spec.path : autoPaths.etcResolvConf;
    const conf = parseResolvConf(await readWatchedFile(file));
    const addrs =
      spec.kind === "resolvConf"
        ? conf.nameservers
        : chooseAutoUpstreams(conf, existsSync(autoPaths.stubFile));
    const ignored = conf.ignored.slice();
    return { servers: toServers(addrs, self, ignored), ignored };
  };
  const reload = serialized(async () => {
    try {
      last = await read();
    } catch (err) {
      last = { ...last, error: (err as Error).message };
    }
    onChange(last);
    return last;
  });
  const files = spec.kind === "resolvConf" ? [spec.path] : [autoPaths.etcResolvConf, autoPaths.stubFile];
  // /etc/resolv.conf is often a symlink into /run/systemd/resolve: watch where it points too.
  if (spec.kind === "auto") {
    try {
      files.push(realpathSync(autoPaths.etcResolvConf));
    } catch {
      // Missing: the watch on /etc notices when it appears.
    }
  }
  const watch: Watch = watchFiles(files, () => void reload());
  return { close: () => watch.close(), reload };
}

export function openHostsSource(file: string, onChange: (entries: HostEntry[]) => void): Source<HostEntry[]> {
  let last: HostEntry[] = [];
  const reload = serialized(async () => {
    try {
      last = parseHostsFile(await readWatchedFile(file));
    } catch (err) {
      process.stderr.write(`qvmd dns: cannot read hosts file ${file}: ${(err as Error).message}\n`);
    }
    onChange(last);
    return last;
  });
  const watch = watchFiles([file], () => void reload());
  return { close: () => watch.close(), reload };
}
