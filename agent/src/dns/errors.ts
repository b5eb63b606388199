// Typed errors of the DNS forwarder. Codes are stable: the agent maps them to gRPC statuses and the
// provider shows them per property, so renaming one is a breaking change.
import { QvmdError } from "../errors";

export type DnsErrorCode =
  | "DNS_INVALID_OPTIONS"
  | "DNS_BAD_LISTEN"
  | "DNS_BAD_UPSTREAM"
  | "DNS_BAD_ZONE"
  | "DNS_BAD_RECORD"
  | "DNS_RECORD_OUTSIDE_ZONE"
  | "DNS_BAD_HOST"
  | "DNS_BAD_SOURCE"
  | "DNS_NO_ALLOWED_SOURCES"
  | "DNS_BAD_RATE_LIMIT"
  | "DNS_BAD_PATH"
  | "DNS_BAD_TIMEOUT"
  | "DNS_LISTEN_FAILED"
  | "DNS_CLOSED";

export interface Violation {
  property: string;
  code: DnsErrorCode;
  reason: string;
}

export class DnsError extends QvmdError {
  constructor(
    code: DnsErrorCode,
    message: string,
    readonly violations: Violation[] = [],
    cause?: unknown,
  ) {
    const kind =
      code === "DNS_LISTEN_FAILED" ? "internal" : code === "DNS_CLOSED" ? "precondition" : "invalid";
    super(kind, code, message, { property: violations[0]?.property, cause });
    this.name = "DnsError";
  }
  declare readonly code: DnsErrorCode;
}

export function invalidOptions(violations: Violation[]): DnsError {
  const summary = violations.map((v) => `${v.property}: ${v.reason}`).join("; ");
  return new DnsError("DNS_INVALID_OPTIONS", `invalid DNS forwarder options: ${summary}`, violations);
}
