// The process every forwarder of a qvmd runs in (see remote.ts), so a flood of queries costs this
// process's event loop and CPU, never qvmd's API. It drops root first thing: qvmd binds the
// sockets (port 53) and hands them over, so nothing here needs privileges, and what it reads
// (resolv.conf, a hosts file) it reads with the unprivileged user's rights. Its one control
// channel is qvmd's IPC; it exits when qvmd goes.
import type * as dgram from "node:dgram";
import type * as net from "node:net";
import { type Forwarder, startForwarder } from "./forwarder";
import type { ForwarderOptions } from "./options";
import { DnsError } from "./errors";
import type { AutoPaths } from "./sources";
import { udpReady } from "./udpio";
import { MEMTRIM_QUIET_MS } from "../constants";
import { noteActivity, startMemTrim } from "../util/memtrim";

export type Request = { id: number; key: string } & (
  | { op: "socket"; kind: "udp" | "tcp" }
  | { op: "start"; opts: ForwarderOptions; autoPaths?: AutoPaths }
  | { op: "update"; opts: ForwarderOptions }
  | { op: "setHosts"; hosts: { name: string; ip: string }[] }
  | { op: "stats" }
  | { op: "reloadUpstreams" }
  | { op: "close" }
);

export type Reply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: { code?: string; message: string; violations?: unknown } };

const forwarders = new Map<string, Forwarder>();
/** Sockets handed over for a forwarder, waiting for the start or update that binds to them. */
const handed = new Map<string, { udp?: dgram.Socket; tcp?: net.Server }>();

/** Sockets handed over for a start or update that failed before using them. */
function discardHanded(key: string) {
  const h = handed.get(key);
  handed.delete(key);
  h?.udp?.close();
  h?.tcp?.close();
}

function takeSockets(key: string) {
  const h = handed.get(key);
  handed.delete(key);
  if (!h?.udp || !h.tcp) throw new DnsError("DNS_LISTEN_FAILED", "qvmd handed over no sockets");
  return Promise.resolve({ udp: h.udp, tcp: h.tcp });
}

/** setgroups first: the supplementary groups are root's too. */
function dropTo(user: string) {
  const group = user === "nobody" ? "nogroup" : user;
  process.setgroups?.([]);
  process.setgid?.(group);
  process.setuid?.(user);
}

async function handle(r: Request, handle: unknown): Promise<unknown> {
  if (r.op === "socket") {
    const h = handed.get(r.key) ?? {};
    if (r.kind === "udp") h.udp = handle as dgram.Socket;
    else h.tcp = handle as net.Server;
    handed.set(r.key, h);
    return undefined;
  }
  if (r.op === "start") {
    if (forwarders.has(r.key)) throw new DnsError("DNS_INVALID_OPTIONS", `forwarder ${r.key} runs already`);
    try {
      // qvmd checked the options before sending them (remote.ts): their shape is not checked again.
      const f = await startForwarder(r.opts, {
        autoPaths: r.autoPaths,
        sockets: () => takeSockets(r.key),
        checked: true,
      });
      forwarders.set(r.key, f);
      return f.address;
    } finally {
      discardHanded(r.key);
    }
  }
  const f = forwarders.get(r.key);
  if (!f) throw new DnsError("DNS_CLOSED", `forwarder ${r.key} is not running`);
  switch (r.op) {
    case "update":
      return f.update(r.opts).finally(() => discardHanded(r.key));
    case "setHosts":
      return f.setHosts(r.hosts);
    case "stats":
      return f.stats();
    case "reloadUpstreams":
      return f.reloadUpstreams();
    case "close":
      forwarders.delete(r.key);
      return f.close();
  }
}

function main() {
  // The UDP addon is loaded as the user that started us (its file need not be readable by nobody);
  // first, so that the log (and the package's build check) says at once if it falls back to dgram.
  udpReady();
  // Loaded before dropping root too; without a full GC (the heap is small, queries keep coming).
  startMemTrim(MEMTRIM_QUIET_MS, false);
  if (!process.send) throw new Error("the DNS forwarder process is started by qvmd over IPC");
  const user = process.env.QVMD_DNS_CHILD_USER;
  if (user) dropTo(user);
  // A reply in flight when qvmd dies fails with EPIPE: with a callback that is not an 'error' event
  // (which would crash this process with a stack trace in qvmd's log); "disconnect" ends us anyway.
  const send = (m: Reply) => process.send?.(m, undefined, undefined, () => {});
  process.on("message", (r: Request, h: unknown) => {
    noteActivity();
    handle(r, h).then(
      (value) => send({ id: r.id, ok: true, value }),
      (err: unknown) => {
        const e = err as Partial<DnsError> & Error;
        send({ id: r.id, ok: false, error: { code: e.code, message: e.message, violations: e.violations } });
      },
    );
  });
  // qvmd is gone (stopped or crashed): the forwarders go too; the next qvmd starts them again.
  process.on("disconnect", () => process.exit(0));
}

main();
