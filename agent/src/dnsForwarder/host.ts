// The host operations of DNS forwarders, as an interface the manager is given (so its logic runs in
// unit tests against a fake), and the real thing: the dns/ library's ForwarderHost, one unprivileged
// process of their own to which qvmd hands the sockets it bound.
import { DNS_PROCESS_NODE_OPTIONS } from "../constants";
import { ForwarderHost, type ForwarderOptions, type RemoteForwarder } from "../dns";
import { unreadableByNobody } from "./files";

export interface DnsForwarderHost {
  /** Starts forwarder `id` (binding its listen address), or fails changing nothing. */
  start(id: string, opts: ForwarderOptions): Promise<RemoteForwarder>;
  /** Stops every forwarder and the process. */
  close(): Promise<void>;
  /** Why the forwarder process could not follow `file` (files.ts), or undefined when it can. */
  whyUnreadable(file: string): Promise<string | undefined>;
}

/** QVMD_DNS_USER: who the forwarder process runs as once bound (root keeps root; default nobody). */
export function forwarderProcess(
  log: (m: string) => void,
  user = process.env.QVMD_DNS_USER ?? "nobody",
): DnsForwarderHost {
  const h = new ForwarderHost({
    user: user === "root" ? undefined : user,
    log,
    nodeOptions: DNS_PROCESS_NODE_OPTIONS,
  });
  return {
    start: (id, opts) => h.start(id, opts),
    close: () => h.close(),
    whyUnreadable: unreadableByNobody,
  };
}
