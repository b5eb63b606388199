// Pulumi property values <-> plain JS. The engine encodes "unknown during preview" as a sentinel
// string; we keep it as that string and test for it explicitly where it matters.
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export type Props = Record<string, unknown>;

/** Deep-unwraps secrets (we do not accept secrets, but be robust if one arrives). */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return unwrap(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

export const fromStruct = (s: Struct | undefined): Props => (s ? (unwrap(s.toJavaScript()) as Props) : {});

export function toStruct(p: Props): Struct {
  // Struct cannot hold undefined: drop such keys.
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(p)) as Record<string, never>);
}

export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
