// Typed errors of the DNS forwarder. Codes are stable: the agent maps them to gRPC statuses and the
// provider shows them per property, so renaming one is a breaking change.
import type { ErrorCode, Violation as AnyViolation } from "@pulumi-qemu/api/validate";
import { QvmdError } from "../errors";

/** The library's share of the contract's error codes (api/src/codes.ts). */
export type DnsErrorCode = Exclude<
  Extract<ErrorCode, `DNS_${string}`>,
  "DNS_NETWORK_TAKEN" | "DNS_FORWARDER_NOT_FOUND"
>;

export type Violation = AnyViolation<DnsErrorCode>;

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
