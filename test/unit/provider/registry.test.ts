// The provider's registry is what schema.json says: the same resources, input and output
// properties, types, required inputs, defaults and replace-on-change properties. schema.json is
// generated from the declarations; the provider derives its check from them too (zod), so this
// compares two independent derivations: the zod check's JSON Schema against schema.json.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { resources } from "@pulumi-qemu/api";
import { objectSchema } from "../../../provider/src/inputs";
import { UNKNOWN } from "../../../provider/src/props";
import { handlers } from "../../../provider/src/resources";

type Json = Record<string, unknown> & {
  type?: string;
  $ref?: string;
  items?: Json;
  properties?: Record<string, Json>;
  required?: string[];
  default?: unknown;
  enum?: string[];
};
interface Schema {
  types: Record<string, Json>;
  resources: Record<
    string,
    { inputProperties: Record<string, Json>; requiredInputs?: string[]; properties: Record<string, Json> }
  >;
}

const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema.json"), "utf8"),
) as Schema;

const jsonSchemaOf = (t: resources.ObjectType) =>
  z.toJSONSchema(objectSchema(t), { io: "input", unrepresentable: "any" }) as Json;

/** Compares the provider's JSON Schema of one value with schema.json's entry for it. */
function sameType(where: string, zod: Json, pulumi: Json): void {
  if (pulumi.$ref) {
    const token = pulumi.$ref.replace("#/types/", "");
    const t = schema.types[token];
    assert.ok(t, `${where}: schema.json has no type ${token}`);
    sameObject(`${where} (${token})`, zod, t.properties ?? {}, t.required ?? []);
    return;
  }
  assert.equal(zod.type, pulumi.type, `${where}: type`);
  if (pulumi.type === "array") sameType(`${where}[]`, zod.items!, pulumi.items!);
  if (["string", "integer", "boolean"].includes(pulumi.type!))
    assert.deepEqual(zod.default, pulumi.default, `${where}: default`);
}

function sameObject(where: string, zod: Json, props: Record<string, Json>, required: string[]): void {
  assert.equal(zod.type, "object", where);
  assert.deepEqual(Object.keys(zod.properties ?? {}), Object.keys(props), `${where}: properties`);
  assert.deepEqual(zod.required ?? [], required, `${where}: required`);
  for (const [k, p] of Object.entries(props)) sameType(`${where}.${k}`, zod.properties![k]!, p);
}

describe("provider registry == schema.json", () => {
  it("has a handler for every resource of the schema, and no other", () => {
    assert.deepEqual(Object.keys(handlers).sort(), Object.keys(schema.resources).sort());
    assert.deepEqual(
      resources.RESOURCES.map((r) => r.token),
      Object.keys(schema.resources),
    );
  });

  for (const [token, r] of Object.entries(schema.resources)) {
    describe(token, () => {
      const h = handlers[token]!;

      it("checks exactly the schema's inputs: types, required inputs, defaults", () => {
        sameObject(token, jsonSchemaOf(h.decl), r.inputProperties, r.requiredInputs ?? []);
      });

      it("replaces on exactly the properties the schema marks replaceOnChanges", () => {
        const marked = (props: Record<string, Json>) =>
          Object.keys(props)
            .filter((k) => props[k]!.replaceOnChanges === true)
            .sort();
        assert.deepEqual([...h.replaceOn].sort(), marked(r.inputProperties));
        assert.deepEqual([...h.replaceOn].sort(), marked(r.properties), "output properties (SDK option)");
      });

      it("previews every output the schema lists, unknown until the agent answers", () => {
        const outputsOnly = Object.keys(r.properties).filter((k) => !(k in r.inputProperties));
        const preview = h.preview({});
        for (const k of outputsOnly) assert.equal(preview[k], UNKNOWN, k);
        for (const k of Object.keys(preview)) assert.ok(k in r.properties, `${k} is not in the schema`);
      });
    });
  }

  it("declares every type the schema lists, each once", () => {
    assert.deepEqual(resources.TYPES.map((t) => t.token).sort(), Object.keys(schema.types).sort());
  });

  it("writes schema.json exactly as the declarations say (make gen is up to date)", () => {
    assert.equal(
      fs.readFileSync(path.join(__dirname, "..", "..", "..", "schema.json"), "utf8"),
      resources.schemaText(),
    );
  });
});
