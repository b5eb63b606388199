// What every resource module shares: turning zod issues into per-property check failures, and
// reading a resource where only NOT_FOUND (never a timeout) means it is gone.
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { AgentError, type QvmdClient } from "@pulumi-qemu/api";
import { containsUnknown, type Props } from "../props";
import type { CheckFailure, Ctx, ResourceHandler } from "./types";

/** A resource id: qvmd keys objects by it and derives kernel names from it (8 hex characters). */
export const newId = () => randomBytes(4).toString("hex");

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

/**
 * Create, read, update and delete for a resource whose create and update are the same idempotent
 * agent call keyed by its id. Read keeps the inputs the engine has, or rebuilds them for import.
 */
export function lifecycle<T>(o: {
  notFound: string;
  apply: (ctx: Ctx, id: string, inputs: Props) => Promise<Props>;
  get: (agent: QvmdClient, id: string) => Promise<T>;
  outputs: (inputs: Props, t: T) => Props;
  importInputs: (t: T) => Props;
  remove: (agent: QvmdClient, id: string) => Promise<unknown>;
}): Pick<ResourceHandler, "create" | "read" | "update" | "delete"> {
  return {
    async create(ctx, inputs) {
      const id = newId();
      return { id, outputs: await o.apply(ctx, id, inputs) };
    },
    read: (ctx, id, oldInputs) =>
      readOrGone(o.notFound, async () => {
        const t = await o.get(await ctx.agent(), id);
        const inputs = oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : o.importInputs(t);
        return { inputs, outputs: o.outputs(inputs, t) };
      }),
    update: (ctx, id, _olds, news) => o.apply(ctx, id, news),
    async delete(ctx, id) {
      await o.remove(await ctx.agent(), id);
    },
  };
}

/** Check for resources whose inputs need only their shape validated (the agent checks the rest). */
export function shapeCheck(shape: z.ZodType): ResourceHandler["check"] {
  return async (_ctx, news) => {
    if (containsUnknown(news)) return { inputs: news, failures: [] };
    const parsed = shape.safeParse(news);
    return parsed.success
      ? { inputs: parsed.data as Props, failures: [] }
      : { inputs: news, failures: zodFailures(parsed.error) };
  };
}
