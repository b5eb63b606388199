// Typed agent errors with stable codes (the list is the contract's: api/src/codes.ts). They are
// translated to gRPC statuses once, in server.ts, through the contract's `toStatus`. This module is
// also the one place where validation results become errors, and where a field path becomes the
// `property` a user reads.
import type { ErrorCode, ErrorKind } from "@pulumi-qemu/api";
import type { Violation } from "@pulumi-qemu/api/validate";
import type { z } from "zod";

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

/** The caller cancelled (or passed its deadline) while qvmd waited for `what`. */
export const callCancelled = (what: string) =>
  new QvmdError(
    "cancelled",
    "CALL_CANCELLED",
    `${what}: the call was cancelled by its caller (or its deadline passed)`,
  );

/** A recorded spec that no longer validates: the state was edited or written by another version. */
export const stateCorrupt = (what: string, id: string) =>
  new QvmdError("internal", "STATE_CORRUPT", `recorded spec of ${what} ${id} no longer validates`);

/** Every violation in one error: the first one's code and property, all of their reasons. */
export function violationsError(violations: readonly Violation[]): QvmdError {
  const first = violations[0]!;
  return new QvmdError(
    "invalid",
    first.code,
    violations.map((v) => `${v.property}: ${v.reason}`).join("; "),
    {
      property: first.property,
    },
  );
}

/**
 * Wire (proto) field names a user knows by another name, per resource: `nics` is `networks` in a
 * program. Any other snake_case field is its camelCase schema name.
 */
export type Renames = Readonly<Record<string, string>>;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * The one naming rule of `property` (docs/architecture.md): the path as the user writes it in a
 * program — schema (camelCase) names, `.` between levels, `[i]` for list items, e.g.
 * `networks[0].mac`, `dhcp.reservations[1].ip`.
 */
export function propertyOf(path: readonly PropertyKey[], renames: Renames = {}): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else {
      const name = String(p);
      out += (out === "" ? "" : ".") + (renames[name] ?? camel(name));
    }
  }
  return out;
}

/** zod's verdict on a spec's shape, as violations (BAD_SHAPE) named by the rule above. */
export function parseShape<S extends z.ZodType>(
  shape: S,
  raw: unknown,
  renames: Renames = {},
): { data: z.output<S>; violations?: undefined } | { data?: undefined; violations: Violation[] } {
  const parsed = shape.safeParse(raw);
  if (parsed.success) return { data: parsed.data };
  return {
    violations: parsed.error.issues.map((i) => ({
      property: propertyOf(i.path, renames) || "spec",
      code: "BAD_SHAPE" as const,
      reason: i.message,
    })),
  };
}

/**
 * A request checked against its wire shape at the server's edge: a malformed one is BAD_REQUEST,
 * naming the property by the same rule (the `spec.` envelope is not something a user writes).
 */
export function parseRequest<S extends z.ZodType>(
  shape: S,
  req: unknown,
  renames: Renames = {},
): z.output<S> {
  const parsed = shape.safeParse(req);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const path = i.path[0] === "spec" ? i.path.slice(1) : i.path;
    return { property: propertyOf(path, renames) || "request", message: i.message };
  });
  return badRequest(issues);
}

function badRequest(issues: { property: string; message: string }[]): never {
  throw new QvmdError(
    "invalid",
    "BAD_REQUEST",
    `malformed request: ${issues.map((i) => `${i.property}: ${i.message}`).join("; ")}`,
    { property: issues[0]?.property },
  );
}
