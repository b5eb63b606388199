// What is at qvmd's socket path, for qvmd (may it bind there?) and for its clients (why can they
// not connect, and what should the user run?). A crash (kill -9) leaves the socket file behind with
// nobody listening: that is "refused", which must count as no qvmd, not as a broken one.
import * as fs from "node:fs";
import * as net from "node:net";

export type SocketState =
  /** Something accepts connections: a live qvmd. */
  | "answers"
  /** A socket file nobody listens on: a crashed qvmd's leftover. */
  | "refused"
  /** No file at all. */
  | "missing"
  /** The caller may not connect: not root and not in the socket's group. */
  | "denied"
  /** Something that is not a socket (a regular file, a symlink, a directory): never ours to remove. */
  | "foreign";

/** Classifies the outcome of connect() on a unix socket. Pure. */
export function stateOfConnectError(code: string | undefined): SocketState {
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ENOENT":
      return "missing";
    case "EACCES":
    case "EPERM":
      return "denied";
    default:
      // ENOTSOCK and friends: a path that is not a listening socket of anyone's.
      return "foreign";
  }
}

export async function probeSocket(path: string, timeoutMs = 2000): Promise<SocketState> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch (e) {
    return stateOfConnectError((e as NodeJS.ErrnoException).code);
  }
  if (!st.isSocket()) return "foreign";
  return new Promise((resolve) => {
    const c = net.connect(path);
    const done = (s: SocketState) => {
      clearTimeout(timer);
      c.destroy();
      resolve(s);
    };
    // A listener that accepts nothing within the timeout is alive but stuck: not stale.
    const timer = setTimeout(() => done("answers"), timeoutMs);
    c.once("connect", () => done("answers"));
    c.once("error", (e: NodeJS.ErrnoException) => done(stateOfConnectError(e.code)));
  });
}

/**
 * Whether qvmd may remove what is at its socket path before binding: only a socket file owned by
 * root (so one qvmd left behind) that nobody answers on. Pure.
 */
export function mayReplaceSocket(state: SocketState, ownerUid: number | undefined): boolean {
  return state === "missing" || (state === "refused" && ownerUid === 0);
}

/** The gid of `--socket-group`: a number, or a name looked up in /etc/group. Pure. */
export function groupId(nameOrGid: string, groupFile: string): number | undefined {
  if (/^\d+$/.test(nameOrGid)) return Number(nameOrGid);
  for (const line of groupFile.split("\n")) {
    const [name, , gid] = line.split(":");
    if (name === nameOrGid && gid && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}
