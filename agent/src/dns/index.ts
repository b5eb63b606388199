// The DNS forwarder of qvmd: the only module the rest of the agent imports from.
export { startForwarder, type Forwarder, type HostRecord, type StartInternals } from "./forwarder";
export { ForwarderHost, type RemoteForwarder, type HostOptions, CHILD_TITLE } from "./remote";
export {
  validateForwarderOptions,
  resolveForwarderOptions,
  type ForwarderOptions,
  type ResolvedOptions,
  type UpstreamSpec,
  DEFAULT_RATE_LIMIT,
} from "./options";
export { DnsError, type DnsErrorCode, type Violation } from "./errors";
export type { ForwarderStats, UpstreamHealth } from "./stats";
export { parseResolvConf, chooseAutoUpstreams, parseUpstream } from "./resolvconf";
