// The files a DNS forwarder follows (hostsFile, resolvConf) are read by the forwarders' process as
// nobody (dns/child.ts), never by qvmd. So that a caller learns at Apply, not from a log, that a
// path cannot work, qvmd looks at it without opening it (stat never blocks, even on a FIFO):
// it must be a regular file of at most 1 MiB that anybody may read, in directories anybody may
// enter. A file only its caller could read is refused too: nobody could not read it either.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { WATCHED_FILE_MAX_BYTES } from "../dns/sources";

/** Why the forwarders' process could not follow `file`, or undefined when it can. */
export async function unreadableByNobody(file: string): Promise<string | undefined> {
  let st: Awaited<ReturnType<typeof fs.stat>>;
  try {
    st = await fs.stat(file);
  } catch (e) {
    // Missing is fine: resolv.conf may appear later, and the forwarder follows it when it does.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return `${file}: ${(e as Error).message}`;
  }
  if (!st.isFile()) return `${file} is not a regular file`;
  if (st.size > WATCHED_FILE_MAX_BYTES) return `${file} is larger than ${WATCHED_FILE_MAX_BYTES} bytes`;
  if ((st.mode & 0o004) === 0) return `${file} is not readable by everybody (the forwarders read as nobody)`;
  for (let d = path.dirname(await fs.realpath(file)); ; d = path.dirname(d)) {
    if (((await fs.stat(d)).mode & 0o001) === 0) return `${d} cannot be entered by everybody`;
    if (d === "/") break;
  }
  return undefined;
}
