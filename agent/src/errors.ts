// Typed agent errors with stable codes. They are translated to gRPC statuses once, in server.ts.

export type ErrorKind = "invalid" | "precondition" | "not_found" | "internal";

export class QvmdError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. NET_OVERLAP. */
    readonly code: string,
    message: string,
    readonly opts: { property?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "QvmdError";
  }
}

export const invalid = (code: string, property: string, message: string, hint?: string) =>
  new QvmdError("invalid", code, message, { property, hint });

export const notFound = (code: string, message: string) => new QvmdError("not_found", code, message);

export const hostFailure = (message: string, cause?: unknown, hint?: string) =>
  new QvmdError("internal", "HOST_COMMAND_FAILED", message, { cause, hint });
