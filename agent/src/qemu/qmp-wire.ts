// Pure QMP framing: QEMU writes one JSON object per line; a read may end mid-line or mid-character,
// and asynchronous events may arrive between a command and its reply.
import { StringDecoder } from "node:string_decoder";

export type QmpMessage =
  | { kind: "greeting"; version: { major: number; minor: number; micro: number } }
  | { kind: "return"; id?: string; value: unknown }
  | { kind: "error"; id?: string; errorClass: string; desc: string }
  | { kind: "event"; event: string; data: Record<string, unknown>; timestamp?: number };

/** A line longer than this is not QMP; refusing it bounds memory if a socket talks nonsense. */
export const QMP_MAX_LINE = 16 * 1024 * 1024;

export class QmpLineDecoder {
  private readonly text = new StringDecoder("utf8");
  private buffered = "";

  /** Returns the complete lines in this chunk; the tail stays buffered for the next one. */
  push(chunk: Buffer | string): string[] {
    this.buffered += typeof chunk === "string" ? chunk : this.text.write(chunk);
    const parts = this.buffered.split("\n");
    this.buffered = parts.pop() ?? "";
    if (this.buffered.length > QMP_MAX_LINE) throw new Error(`QMP line exceeds ${QMP_MAX_LINE} bytes`);
    return parts.map((p) => p.replace(/\r$/, "")).filter((p) => p.trim() !== "");
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

// We only ever send string ids; anything else is not a reply to us.
const idOf = (o: Record<string, unknown>) => (typeof o.id === "string" ? o.id : undefined);

export function parseQmpLine(line: string): QmpMessage {
  const o: unknown = JSON.parse(line);
  if (!isObject(o)) throw new Error(`QMP message is not an object: ${line.slice(0, 200)}`);
  if (isObject(o.QMP)) {
    const q = isObject(o.QMP.version) && isObject(o.QMP.version.qemu) ? o.QMP.version.qemu : {};
    const n = (k: string) => (typeof q[k] === "number" ? (q[k] as number) : 0);
    return { kind: "greeting", version: { major: n("major"), minor: n("minor"), micro: n("micro") } };
  }
  if ("return" in o) return { kind: "return", id: idOf(o), value: o.return };
  if (isObject(o.error)) {
    const errorClass = typeof o.error.class === "string" ? o.error.class : "GenericError";
    const desc = typeof o.error.desc === "string" ? o.error.desc : JSON.stringify(o.error);
    return { kind: "error", id: idOf(o), errorClass, desc };
  }
  if (typeof o.event === "string") {
    const ts = isObject(o.timestamp) ? o.timestamp : undefined;
    const timestamp =
      ts && typeof ts.seconds === "number" && typeof ts.microseconds === "number"
        ? ts.seconds + ts.microseconds / 1e6
        : undefined;
    return { kind: "event", event: o.event, data: isObject(o.data) ? o.data : {}, timestamp };
  }
  throw new Error(`unrecognised QMP message: ${line.slice(0, 200)}`);
}

export function encodeQmpCommand(
  execute: string,
  args: Record<string, unknown> | undefined,
  id: string,
): string {
  const cmd: Record<string, unknown> = { execute, id };
  if (args !== undefined) cmd.arguments = args;
  return JSON.stringify(cmd) + "\n";
}
