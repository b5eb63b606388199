// The error contract (see "Errors" in qvmd.proto): the class of a failure, the gRPC status it
// travels as, and the one place an error is written into and read back out of gRPC trailing
// metadata. The agent encodes with `toStatus`; the client decodes with `fromServiceError`.
import * as grpc from "@grpc/grpc-js";
import { type ErrorCode, isErrorCode } from "./codes";

export type ErrorKind = "invalid" | "precondition" | "denied" | "not_found" | "internal" | "cancelled";

export const STATUS_OF_KIND: Readonly<Record<ErrorKind, grpc.status>> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  precondition: grpc.status.FAILED_PRECONDITION,
  denied: grpc.status.PERMISSION_DENIED,
  not_found: grpc.status.NOT_FOUND,
  internal: grpc.status.INTERNAL,
  // Nobody reads it (the caller is gone); the code is for qvmd's log and a client that raced it.
  cancelled: grpc.status.CANCELLED,
};

/** Trailing-metadata keys that carry an agent error across the wire. */
export const ERROR_KEYS = { code: "qvmd-code", property: "qvmd-property", hint: "qvmd-hint" } as const;

/** What an agent error carries over the wire. */
export interface WireError {
  kind: ErrorKind;
  code: ErrorCode;
  message: string;
  property?: string;
  hint?: string;
}

/** Agent side: the gRPC status (code, details, metadata) a failure is sent as. */
export function toStatus(e: WireError): grpc.StatusObject {
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_KEYS.code, e.code);
  if (e.property) metadata.set(ERROR_KEYS.property, e.property);
  if (e.hint) metadata.set(ERROR_KEYS.hint, e.hint);
  return { code: STATUS_OF_KIND[e.kind], details: e.message, metadata };
}

/** A gRPC status name, the code of a failure that never reached qvmd (e.g. UNAVAILABLE). */
export type StatusName = keyof typeof grpc.status;

/** An error returned by a qvmd call: its stable code, the property at fault, a hint, the cause. */
export class AgentError extends Error {
  readonly property?: string;
  readonly hint?: string;

  constructor(
    readonly grpcCode: grpc.status,
    readonly code: ErrorCode | StatusName,
    message: string,
    opts: { property?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "AgentError";
    this.property = opts.property;
    this.hint = opts.hint;
  }

  /** "Unknown" failures: the call may or may not have happened; never treat as absent. */
  get unknownOutcome(): boolean {
    return [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED].includes(
      this.grpcCode,
    );
  }
}

/** Client side: the AgentError for a failed call, from its status and trailing metadata. */
export function fromServiceError(err: grpc.ServiceError): AgentError {
  const get = (k: string) => {
    const v = err.metadata?.get(k)[0];
    return typeof v === "string" ? v : undefined;
  };
  const sent = get(ERROR_KEYS.code);
  const message = err.details || err.message;
  // Provider and agent ship together, so an unlisted code means a mismatched pair: keep it visible.
  if (sent !== undefined && !isErrorCode(sent))
    return new AgentError(err.code, grpc.status[err.code] as StatusName, `${sent}: ${message}`, {
      cause: err,
    });
  return new AgentError(err.code, sent ?? (grpc.status[err.code] as StatusName), message, {
    property: get(ERROR_KEYS.property),
    hint: get(ERROR_KEYS.hint),
    cause: err,
  });
}
