// schema.json, built from the declarations (pure; scripts/schema.ts writes it out). A property is
// one thing: its input and output entries differ only in their description.
import type { ObjectType, Prop, Type } from "./declare";
import { PACKAGE, RESOURCES, SOCKET_PATH, TYPES } from "./package";

type Json = Record<string, unknown>;

function typeOf(t: Type): Json {
  switch (t.kind) {
    case "list":
      return { type: "array", items: typeOf(t.item) };
    case "object":
      return { $ref: `#/types/${t.of.token}` };
    default:
      return { type: t.kind };
  }
}

function property(p: Prop, description: string): Json {
  const scalar = p.type.kind === "string" || p.type.kind === "integer" || p.type.kind === "boolean";
  return {
    ...typeOf(p.type),
    description,
    ...(scalar && p.default !== undefined ? { default: p.default } : {}),
    ...(p.replace ? { replaceOnChanges: true } : {}),
    ...(p.secret ? { secret: true } : {}),
  };
}

const entries = (props: [string, Prop][], doc: (p: Prop) => string) =>
  Object.fromEntries(props.map(([k, p]) => [k, property(p, doc(p))]));
const names = (props: [string, Prop][], pick: (p: Prop) => boolean | undefined) =>
  props.filter(([, p]) => pick(p)).map(([k]) => k);
const nonEmpty = (key: string, list: string[]) => (list.length > 0 ? { [key]: list } : {});

function objectTypeSchema(t: ObjectType): Json {
  const props = Object.entries(t.props);
  return {
    type: "object",
    description: t.doc,
    properties: entries(props, (p) => p.doc),
    ...nonEmpty(
      "required",
      names(props, (p) => p.required),
    ),
  };
}

export function buildSchema(): Json {
  const resources = RESOURCES.map((r) => {
    const all = Object.entries(r.props);
    const inputs = all.filter(([, p]) => !p.output);
    const schema = {
      description: r.doc,
      inputProperties: entries(inputs, (p) => p.doc),
      ...nonEmpty(
        "requiredInputs",
        names(inputs, (p) => p.required),
      ),
      properties: entries(all, (p) => p.outDoc ?? p.doc),
      ...nonEmpty(
        "required",
        names(all, (p) => p.known),
      ),
    };
    return [r.token, schema];
  });
  const { repository, meta, language, ...head } = PACKAGE;
  return {
    ...head,
    config: { variables: { socketPath: property(SOCKET_PATH, SOCKET_PATH.doc) } },
    provider: {
      description: "The qemu provider.",
      inputProperties: { socketPath: property(SOCKET_PATH, SOCKET_PATH.doc) },
    },
    types: Object.fromEntries(TYPES.map((t) => [t.token, objectTypeSchema(t)])),
    resources: Object.fromEntries(resources),
    repository,
    meta,
    language,
  };
}

/** schema.json's text: two-space indentation and a final newline, as committed. */
export const schemaText = () => JSON.stringify(buildSchema(), null, 2) + "\n";
