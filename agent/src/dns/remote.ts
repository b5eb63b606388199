// qvmd's side of the forwarder process (child.ts): every forwarder of this qvmd runs there, with
// the same life cycle as startForwarder, over IPC. A DNS flood then loads that process and never
// qvmd's event loop, where the API runs (issue 10, finding 10). One process for all forwarders,
// not one each: a Node process costs ~40 MB, and the per-source rate limit already keeps one busy
// network from starving the others' answers.
// qvmd binds each forwarder's sockets (port 53 needs root) and hands them over; the process runs
// unprivileged. If it dies, it is started again after a backoff that grows while it keeps dying
// young, and every forwarder is handed fresh sockets on the same address and port, its latest
// options and host table; requests made meanwhile wait for it. Validation happens here first, so
// a bad request is refused without a round trip and changes nothing. When the last forwarder
// closes, the process is stopped (an idle Node process still costs its ~40 MB); the next start
// spawns a new one.
import { type ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import type { Reply, Request } from "./child";
import { DnsError, invalidOptions, type DnsErrorCode, type Violation } from "./errors";
import type { HostRecord } from "./forwarder";
import { type ForwarderOptions, resolveForwarderOptions, resolveHosts } from "./options";
import { bindSockets } from "./server";
import type { AutoPaths } from "./sources";
import type { ForwarderStats } from "./stats";

export interface RemoteForwarder {
  readonly address: { address: string; port: number };
  update(opts: ForwarderOptions): Promise<void>;
  /** Rejects with DNS_INVALID_OPTIONS (nothing sent) for a table that does not fit the zone. */
  setHosts(hosts: HostRecord[]): Promise<void>;
  stats(): Promise<ForwarderStats>;
  reloadUpstreams(): Promise<void>;
  close(): Promise<void>;
}

export interface HostOptions {
  /** Unprivileged user the process runs as; undefined keeps root. */
  user?: string;
  autoPaths?: AutoPaths;
  log?: (m: string) => void;
  /** First restart delay; doubles up to 30x while the process keeps dying young. */
  restartDelayMs?: number;
  /** V8 options for the process, after qvmd's own NODE_OPTIONS (the later option wins). */
  nodeOptions?: string;
}

/** In the process's command line, so pgrep (and the leak check, which looks for "qvmd") finds it. */
export const CHILD_TITLE = "qvmd-dns";
const CHILD = path.join(__dirname, `child${path.extname(__filename)}`);
// Built qvmd runs child.js; tests and benches run the sources, and the child needs tsx for them.
const CHILD_EXEC_ARGV = CHILD.endsWith(".ts") ? ["--require", "tsx/cjs"] : [];
const LIVED_LONG_MS = 10000;
const BIND_RETRIES = 20;

type Body = Request extends infer R ? (R extends Request ? Omit<R, "id"> : never) : never;

interface Conn {
  child: ChildProcess;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  /** Stopped on purpose (no forwarder left): its exit is not a crash to restart from. */
  retired?: boolean;
}

interface Entry {
  /** Latest options, with the port actually bound (a restart must come back on it). */
  opts: ForwarderOptions;
  zone: string | undefined;
  hosts: HostRecord[];
  address: { address: string; port: number };
}

const exited = (c: Conn) => c.child.exitCode !== null || c.child.signalCode !== null;

function toError(e: { code?: string; message: string; violations?: unknown }): Error {
  if (e.code?.startsWith("DNS_"))
    return new DnsError(e.code as DnsErrorCode, e.message, (e.violations as Violation[]) ?? []);
  return new Error(e.message);
}

export class ForwarderHost {
  private readonly entries = new Map<string, Entry>();
  private conn: Promise<Conn> | undefined;
  private nextId = 1;
  private closed = false;
  /** Starts in flight: their forwarder is not in `entries` until it serves. */
  private starting = 0;
  private delay: number;
  /** Processes started again after one died. */
  restarts = 0;

  constructor(private readonly o: HostOptions = {}) {
    this.delay = o.restartDelayMs ?? 200;
  }

  /** The process serving now, if any (tests kill it). */
  async pid(): Promise<number | undefined> {
    return (await this.conn?.catch(() => undefined))?.child.pid;
  }

  async start(key: string, opts: ForwarderOptions): Promise<RemoteForwarder> {
    const r = resolveForwarderOptions(opts);
    if (!r.options) throw invalidOptions(r.violations);
    if (this.entries.has(key)) throw new DnsError("DNS_INVALID_OPTIONS", `forwarder ${key} runs already`);
    this.starting++;
    try {
      const c = await this.ready();
      const e: Entry = { opts, zone: r.options.zone, hosts: [], address: { address: "", port: 0 } };
      await this.launch(c, key, e);
      this.entries.set(key, e);
      return this.handle(key, e);
    } finally {
      this.starting--;
      // A start that failed may leave a process serving nothing.
      if (this.entries.size === 0) await this.stopIdle();
    }
  }

  /** Stops the process when it serves no forwarder and none is being started. */
  private async stopIdle(): Promise<void> {
    const current = this.conn;
    const c = await current?.catch(() => undefined);
    if (this.entries.size > 0 || this.starting > 0 || this.conn !== current) return;
    this.conn = undefined;
    if (!c || exited(c)) return;
    c.retired = true;
    const gone = new Promise((r) => c.child.once("exit", r));
    c.child.disconnect();
    await gone;
  }

  /** Stops every forwarder and the process. */
  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    const c = await this.conn?.catch(() => undefined);
    if (!c || exited(c)) return;
    const gone = new Promise((r) => c.child.once("exit", r));
    c.child.disconnect();
    await gone;
  }

  private handle(key: string, e: Entry): RemoteForwarder {
    const run = async (b: Body) => {
      if (this.entries.get(key) !== e) throw new DnsError("DNS_CLOSED", "the forwarder is closed");
      return this.call(await this.ready(), b);
    };
    return {
      get address() {
        return e.address;
      },
      update: async (next) => {
        const r = resolveForwarderOptions(next);
        if (!r.options) throw invalidOptions(r.violations);
        const moved =
          next.listen.address !== e.address.address ||
          (next.listen.port !== 0 && next.listen.port !== e.address.port);
        const c = await this.ready();
        // New sockets first: if the new address cannot be bound, the old one keeps serving.
        const listen = moved ? await this.handOver(c, key, next.listen) : e.address;
        await run({ key, op: "update", opts: { ...next, listen } });
        e.address = listen;
        e.opts = { ...next, listen };
        e.zone = r.options.zone;
      },
      setHosts: async (list) => {
        const { violations } = resolveHosts(list, e.zone);
        if (violations.length > 0) throw invalidOptions(violations);
        e.hosts = list.map((h) => ({ name: h.name, ip: h.ip }));
        await run({ key, op: "setHosts", hosts: e.hosts });
      },
      stats: async () => (await run({ key, op: "stats" })) as ForwarderStats,
      reloadUpstreams: async () => void (await run({ key, op: "reloadUpstreams" })),
      close: async () => {
        if (this.entries.get(key) !== e) return;
        this.entries.delete(key);
        const c = await this.conn?.catch(() => undefined);
        if (c && !exited(c)) await this.call(c, { key, op: "close" }).catch(() => undefined);
        if (this.entries.size === 0) await this.stopIdle();
      },
    };
  }

  /** Binds here (as root) and hands both sockets over; the process serves, we keep no copy. */
  private async handOver(c: Conn, key: string, listen: { address: string; port: number }) {
    let bound;
    for (let attempt = 0; ; attempt++) {
      try {
        bound = await bindSockets(listen.address, listen.port);
        break;
      } catch (err) {
        // A previous process of ours (a qvmd killed a moment ago) may still be closing the port.
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE" && attempt < BIND_RETRIES) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const msg = `cannot listen on ${listen.address}:${listen.port}: ${(err as Error).message}`;
        throw new DnsError("DNS_LISTEN_FAILED", msg, [], err);
      }
    }
    const port = bound.udp.address().port;
    try {
      await this.call(c, { key, op: "socket", kind: "udp" }, bound.udp);
      await this.call(c, { key, op: "socket", kind: "tcp" }, bound.tcp);
    } finally {
      bound.udp.close();
      bound.tcp.close();
    }
    return { address: listen.address, port };
  }

  private async launch(c: Conn, key: string, e: Entry) {
    e.address = await this.handOver(c, key, e.opts.listen);
    const opts = { ...e.opts, listen: e.address };
    await this.call(c, { key, op: "start", opts, autoPaths: this.o.autoPaths });
    e.opts = opts;
    if (e.hosts.length > 0) await this.call(c, { key, op: "setHosts", hosts: e.hosts });
  }

  private ready(): Promise<Conn> {
    if (this.closed) return Promise.reject(new DnsError("DNS_CLOSED", "the forwarders are closed"));
    this.conn ??= Promise.resolve(this.spawn());
    return this.conn;
  }

  private call(c: Conn, b: Body, handle?: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (exited(c)) return reject(new DnsError("DNS_CLOSED", "the forwarder process has exited"));
      const id = this.nextId++;
      c.pending.set(id, { resolve, reject });
      const done = (err: Error | null) => {
        if (err && c.pending.delete(id)) reject(err);
      };
      if (handle) c.child.send({ ...b, id }, handle as never, done);
      else c.child.send({ ...b, id }, done);
    });
  }

  private spawn(): Conn {
    const child = fork(CHILD, [CHILD_TITLE], {
      serialization: "advanced",
      execArgv: CHILD_EXEC_ARGV,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        QVMD_DNS_CHILD_USER: this.o.user ?? "",
        ...(this.o.nodeOptions
          ? { NODE_OPTIONS: [process.env.NODE_OPTIONS, this.o.nodeOptions].filter(Boolean).join(" ") }
          : {}),
      },
    });
    const c: Conn = { child, pending: new Map() };
    const bornAt = Date.now();
    child.on("message", (m: Reply) => {
      const p = c.pending.get(m.id);
      if (!p) return;
      c.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(toError(m.error));
    });
    child.on("exit", (code, signal) => this.onExit(c, bornAt, String(signal ?? code)));
    return c;
  }

  private onExit(c: Conn, bornAt: number, why: string) {
    for (const p of c.pending.values())
      p.reject(new DnsError("DNS_CLOSED", `the forwarder process exited (${why})`));
    c.pending.clear();
    if (this.closed || c.retired) return;
    const log = this.o.log ?? (() => undefined);
    if (this.entries.size === 0 && this.starting === 0) {
      // Nothing to serve: the next start spawns a process.
      this.conn = undefined;
      return;
    }
    log(`dns forwarders: process ${c.child.pid} exited (${why}); restarting`);
    const base = this.o.restartDelayMs ?? 200;
    if (Date.now() - bornAt > LIVED_LONG_MS) this.delay = base;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, base * 30);
    this.restarts++;
    this.conn = new Promise<void>((r) => setTimeout(r, wait)).then(async () => {
      const next = this.spawn();
      for (const [key, e] of this.entries)
        await this.launch(next, key, e).catch((err: unknown) =>
          log(`dns forwarder ${key}: restart failed: ${(err as Error).message}`),
        );
      return next;
    });
  }
}
