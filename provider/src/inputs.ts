// The provider's input check, replace-on-change rule and preview, derived from the resource
// declarations in @pulumi-qemu/api: types, defaults, ranges, enums and rules are written there once.
import { resources } from "@pulumi-qemu/api";
import { propertyPath } from "@pulumi-qemu/api/validate";
import { z } from "zod";
import { type Props, UNKNOWN } from "./props";

type Prop = resources.Prop;
type Type = resources.Type;

/** A check failure, named by the property path as the user wrote it (propertyPath). */
export interface CheckFailure {
  property: string;
  reason: string;
}

function refined<T>(s: z.ZodType<T>, rule: (v: T) => string | undefined): z.ZodType<T> {
  return s.superRefine((v, ctx) => {
    const reason = rule(v);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });
}

function stringSchema(p: Prop, oneOf: readonly string[] | undefined): z.ZodType {
  const example = p.example;
  if (oneOf) return z.enum(oneOf as [string, ...string[]]);
  let s: z.ZodType<string> = z.string(
    example
      ? {
          error: (iss) =>
            iss.input === undefined ? `is required (e.g. ${example})` : `must be a string like ${example}`,
        }
      : undefined,
  );
  if (p.maxLength !== undefined) s = (s as z.ZodString).max(p.maxLength);
  if (p.normalize) s = s.transform(p.normalize);
  return p.check ? refined(s, p.check) : s;
}

function typeSchema(t: Type, p: Prop): z.ZodType {
  switch (t.kind) {
    case "string":
      return stringSchema(p, t.oneOf);
    case "integer": {
      const { min, max } = p;
      const n = z.number().int();
      if (min === undefined && max === undefined) return n;
      return refined(n, (v) =>
        (min !== undefined && v < min) || (max !== undefined && v > max)
          ? `${v} is outside ${min ?? ""}..${max ?? ""}`
          : undefined,
      );
    }
    case "boolean":
      return z.boolean();
    case "list": {
      // Item constraints (a check, a range) apply to scalar items through the list's own Prop.
      const items = z.array(typeSchema(t.item, t.item.kind === "object" ? ({} as Prop) : p));
      return t.maxItems !== undefined ? items.max(t.maxItems) : items;
    }
    case "object":
      return objectSchema(t.of);
  }
}

function propSchema(p: Prop): z.ZodType {
  const s = typeSchema(p.type, p);
  if (p.required) return s;
  const d = p.default;
  if (d === undefined) return s.optional();
  if (Array.isArray(d)) return s.default(() => structuredClone(d));
  if (typeof d === "object" && d !== null) return s.prefault(() => structuredClone(d));
  return s.default(d);
}

const schemas = new Map<resources.ObjectType, z.ZodType>();

/** The strict zod object of a declaration's inputs (unknown properties are refused). */
export function objectSchema(t: resources.ObjectType): z.ZodType {
  let s = schemas.get(t);
  if (!s) {
    s = z.object(Object.fromEntries(resources.inputsOf(t).map(([k, p]) => [k, propSchema(p)]))).strict();
    schemas.set(t, s);
  }
  return s;
}

function failures(error: z.ZodError): CheckFailure[] {
  return error.issues.map((i) => ({
    property: propertyPath(i.path),
    reason: i.code === "unrecognized_keys" ? `unknown properties: ${i.keys.join(", ")}` : i.message,
  }));
}

/** Validates inputs and fills in defaults; cross-property rules run once every property is valid. */
export function checkInputs(
  r: resources.ResourceDecl,
  news: Props,
): { inputs: Props; failures: CheckFailure[] } {
  const parsed = objectSchema(r).safeParse(news);
  if (!parsed.success) return { inputs: news, failures: failures(parsed.error) };
  const inputs = parsed.data as Props;
  return { inputs, failures: r.rules?.(inputs) ?? [] };
}

/** Checked inputs, or an error naming every failure (create and update after a passed check). */
export function parseInputs<I>(r: resources.ResourceDecl, inputs: Props): I {
  const c = checkInputs(r, inputs);
  if (c.failures.length > 0)
    throw new Error(`invalid inputs: ${c.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  return c.inputs as I;
}

/** Top-level inputs whose change replaces the resource. */
export const replaceOn = (r: resources.ResourceDecl) =>
  resources
    .inputsOf(r)
    .filter(([, p]) => p.replace)
    .map(([k]) => k);

/** Outputs during preview: the inputs, and unknowns for what only the agent will know. */
export function previewOf(r: resources.ResourceDecl, inputs: Props): Props {
  const out: Props = { ...inputs };
  for (const [k, p] of Object.entries(r.props))
    if (p.output || (p.computed && inputs[k] === undefined)) out[k] = UNKNOWN;
  return out;
}
