// What every resource module shares: turning zod issues into per-property check failures, and
// reading a resource where only NOT_FOUND (never a timeout) means it is gone.
import type { z } from "zod";
import { AgentError } from "@pulumi-qemu/agent/dist/api/client";
import type { CheckFailure } from "./types";

/** `networks[0].mac`-style property paths, as users write them. */
export function propertyPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, k) => (typeof p === "number" ? `[${p}]` : `${k > 0 ? "." : ""}${String(p)}`)).join("") ||
    "(inputs)"
  );
}

export function zodFailures(error: z.ZodError): CheckFailure[] {
  return error.issues.map((i) => ({
    property: propertyPath(i.path),
    reason: i.code === "unrecognized_keys" ? `unknown properties: ${i.keys.join(", ")}` : i.message,
  }));
}

/** Runs a read; qvmd's `notFoundCode` means the resource is gone (undefined), anything else throws. */
export async function readOrGone<T>(notFoundCode: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof AgentError && e.code === notFoundCode) return undefined;
    throw e;
  }
}
