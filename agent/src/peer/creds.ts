// Who is calling: the uid, gid and pid the kernel recorded when the caller connected to qvmd's
// socket (SO_PEERCRED, read by the native addon agent/native/peercred/peercred.c). The caller cannot
// choose or change them, unlike anything in a request.
import * as fs from "node:fs";
import { assets } from "../assets";

export interface Caller {
  uid: number;
  gid: number;
  pid: number;
}

/** Root may act on every object; every other uid only on its own (see api/proto/qvmd.proto). */
export const ROOT_UID = 0;
export const isRoot = (c: Caller) => c.uid === ROOT_UID;

type PeerCred = (fd: number) => Caller;

/** Where the addon is: beside a packaged executable, or in agent/dist/native of the source tree. */
export function addonPath(): string {
  if (!fs.existsSync(assets.peercred))
    throw new Error(`the native addon ${assets.peercred} is missing: run make build`);
  return assets.peercred;
}

let loaded: PeerCred | undefined;

/** The credentials of the peer of a connected unix socket, by its file descriptor. */
export function peerCred(fd: number): Caller {
  if (!loaded) {
    const m = { exports: {} as { peerCred?: PeerCred } };
    // dlopen rather than require: it also works inside a single-executable build.
    process.dlopen(m, addonPath());
    if (typeof m.exports.peerCred !== "function") throw new Error("peercred.node exports no peerCred");
    loaded = m.exports.peerCred;
  }
  return loaded(fd);
}

// The caller travels from the accepted connection to the handlers as the connection's "remote
// address" (all grpc-js lets a handler read of its connection, through call.getPeer()).
const TOKEN = /^peer uid=(\d+) gid=(\d+) pid=(\d+)$/;

export const peerToken = (c: Caller) => `peer uid=${c.uid} gid=${c.gid} pid=${c.pid}`;

/** The caller of a call from its getPeer(); undefined for a connection we did not accept. */
export function callerOf(peer: string): Caller | undefined {
  const m = TOKEN.exec(peer);
  return m ? { uid: Number(m[1]), gid: Number(m[2]), pid: Number(m[3]) } : undefined;
}
