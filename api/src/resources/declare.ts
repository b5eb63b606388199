// The vocabulary every resource is declared in, once (api/src/resources/<resource>.ts). From the
// declarations come schema.json (scripts/schema.ts), the provider's input check and its
// replace-on-change diff (provider/src/inputs.ts), and the defaults and ranges the agent applies.
import type { ErrorCode } from "../codes";

/** A property's value type: a scalar, a list of values, or an object of a declared type. */
export type Type =
  | { kind: "string"; oneOf?: readonly string[] }
  | { kind: "integer" }
  | { kind: "boolean" }
  | { kind: "list"; item: Type; maxItems?: number }
  | { kind: "object"; of: ObjectType };

export interface Prop {
  type: Type;
  /** Documentation of the input (and of the output, unless `outDoc` says otherwise). */
  doc: string;
  /** The output's own description, where it reads differently from the input's. */
  outDoc?: string;
  /** Computed by the agent: an output, never an input. */
  output?: boolean;
  /** An input the program must give. */
  required?: boolean;
  /** An input the agent chooses when it is absent: its output is known only after create. */
  computed?: boolean;
  /** Always present in the outputs (the schema's `required` of a resource's properties). */
  known?: boolean;
  /** What check fills in when the input is absent (also the SDK's default, for scalars). */
  default?: unknown;
  /** A change replaces the resource instead of updating it in place. */
  replace?: boolean;
  /** Marked secret in the schema, so the engine encrypts it in the state. */
  secret?: boolean;
  /** Inclusive bounds of an integer. */
  min?: number;
  max?: number;
  /** Longest string, in characters. */
  maxLength?: number;
  /** Applied to a string before it is checked and kept (e.g. lower-casing a MAC). */
  normalize?: (value: string) => string;
  /** A rule beyond the type, for strings: why a value breaks it (undefined when it does not). */
  check?: (value: string) => string | undefined;
  /** How a missing or mistyped value is explained: `is required (e.g. <example>)`. */
  example?: string;
}

export interface ObjectType {
  /** The schema's type token, e.g. qemu:index:DhcpRange. */
  token: string;
  doc: string;
  props: Readonly<Record<string, Prop>>;
}

/** A rule across properties that an input breaks: the property to blame and why. */
export interface Broken {
  property: string;
  reason: string;
}

export interface ResourceDecl extends ObjectType {
  /** The code of the agent's NOT_FOUND for a Get: the only proof that the resource is gone. */
  notFound: ErrorCode;
  /** Rules across properties, run on inputs whose every property is valid (defaults filled in). */
  rules?: (inputs: Readonly<Record<string, unknown>>) => Broken[];
}

type Opts = Omit<Prop, "type" | "doc">;

// The constructors keep the literal type of their options, so that InputsOf can read the types,
// presence and enums of a declaration back at compile time.
export const str = <const O extends Opts & { oneOf?: readonly string[] } = object>(doc: string, o?: O) => {
  const { oneOf, ...rest } = (o ?? {}) as O;
  const e = oneOf as O extends { oneOf: infer E } ? E : undefined;
  return { type: { kind: "string" as const, oneOf: e }, doc, ...(rest as Omit<O, "oneOf">) };
};
export const int = <const O extends Opts = object>(doc: string, o?: O) => ({
  type: { kind: "integer" as const },
  doc,
  ...((o ?? {}) as O),
});
export const bool = <const O extends Opts = object>(doc: string, o?: O) => ({
  type: { kind: "boolean" as const },
  doc,
  ...((o ?? {}) as O),
});
export const obj = <const T extends ObjectType, const O extends Opts = object>(
  of: T,
  doc: string,
  o?: O,
) => ({
  type: { kind: "object" as const, of },
  doc,
  ...((o ?? {}) as O),
});
type ItemType<I> = I extends ObjectType ? { kind: "object"; of: I } : I;
export const list = <
  const I extends Type | ObjectType,
  const O extends Opts & { maxItems?: number } = object,
>(
  item: I,
  doc: string,
  o?: O,
) => {
  const { maxItems, ...rest } = (o ?? {}) as O;
  const it = ("token" in item ? { kind: "object", of: item } : item) as ItemType<I>;
  const max = maxItems as O extends { maxItems: number } ? number : undefined;
  return { type: { kind: "list" as const, item: it, maxItems: max }, doc, ...(rest as Omit<O, "maxItems">) };
};
export const STRING = { kind: "string" } as const;

export const objectType = <const P extends Record<string, Prop>>(token: string, doc: string, props: P) => ({
  token,
  doc,
  props,
});

type TypeValue<T> = T extends { kind: "string"; oneOf: readonly (infer E)[] }
  ? E
  : T extends { kind: "string" }
    ? string
    : T extends { kind: "integer" }
      ? number
      : T extends { kind: "boolean" }
        ? boolean
        : T extends { kind: "list"; item: infer I }
          ? TypeValue<I>[]
          : T extends { kind: "object"; of: { props: infer P } }
            ? InputsOf<P>
            : never;
type Value<P> = P extends { type: infer T } ? TypeValue<T> : never;
type IsInput<P> = P extends { output: true } ? false : true;
type Present<P> = P extends { required: true }
  ? true
  : P extends { default: NonNullable<unknown> }
    ? true
    : false;

/** The inputs of a declaration as check leaves them: required and defaulted properties present. */
export type InputsOf<Ps> = {
  [K in keyof Ps as IsInput<Ps[K]> extends true ? (Present<Ps[K]> extends true ? K : never) : never]: Value<
    Ps[K]
  >;
} & {
  [K in keyof Ps as IsInput<Ps[K]> extends true ? (Present<Ps[K]> extends true ? never : K) : never]?: Value<
    Ps[K]
  >;
};

/** The inputs of a resource or type, in declaration order. */
export const inputsOf = (t: ObjectType) => Object.entries(t.props).filter(([, p]) => !p.output);

/** `1..64`: how ranges read in documentation and errors. */
export const range = (p: { min?: number; max?: number }) => `${p.min}..${p.max}`;
