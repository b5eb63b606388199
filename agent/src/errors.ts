// Typed agent errors with stable codes (the list is the contract's: api/src/codes.ts). They are
// translated to gRPC statuses once, in server.ts, through the contract's `toStatus`.
import type { ErrorCode, ErrorKind } from "@pulumi-qemu/api";

export type { ErrorCode, ErrorKind };

export class QvmdError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. NET_OVERLAP. */
    readonly code: ErrorCode,
    message: string,
    readonly opts: { property?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "QvmdError";
  }
}

export const invalid = (code: ErrorCode, property: string, message: string, hint?: string) =>
  new QvmdError("invalid", code, message, { property, hint });

export const notFound = (code: ErrorCode, message: string) => new QvmdError("not_found", code, message);

export const hostFailure = (message: string, cause?: unknown, hint?: string) =>
  new QvmdError("internal", "HOST_COMMAND_FAILED", message, { cause, hint });
