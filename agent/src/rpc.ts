// How one gRPC call is served: its caller is learnt (SO_PEERCRED, peer/listen.ts), the call is
// refused while qvmd has no readable state (all but Health), the handler runs, and a QvmdError
// becomes a gRPC status here and only here.
import type * as grpc from "@grpc/grpc-js";
import { toStatus as wireStatus } from "@pulumi-qemu/api";
import { z } from "zod";
import { QvmdError, propertyOf } from "./errors";
import { type Caller, callerOf } from "./peer/creds";
import { noteActivity } from "./util/memtrim";

export function toStatus(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof QvmdError)
    return wireStatus({ kind: e.kind, code: e.code, message: e.message, ...e.opts });
  // A spec re-read from the state that no longer parses: ours to fix, not the caller's.
  if (e instanceof z.ZodError) {
    const details = e.issues.map((i) => `${propertyOf(i.path) || "spec"}: ${i.message}`).join("; ");
    return wireStatus({ kind: "internal", code: "STATE_CORRUPT", message: `recorded spec: ${details}` });
  }
  return wireStatus({
    kind: "internal",
    code: "INTERNAL",
    message: e instanceof Error ? e.message : String(e),
  });
}

/** How many leading bytes of a body that does not decode an error quotes (never more). */
export const UNDECODABLE_HEAD_BYTES = 16;

/**
 * A request body that is not its message: protobuf decoding failed (see `tolerantDecoding`). It
 * keeps only what an error says about the body, its size and first bytes, never the body.
 */
export class Undecodable {
  readonly size: number;
  readonly head: string;
  constructor(
    readonly reason: string,
    body: Buffer = Buffer.alloc(0),
  ) {
    this.size = body.length;
    this.head = body.subarray(0, UNDECODABLE_HEAD_BYTES).toString("hex");
  }
}

/**
 * The service with request decoding that never throws. grpc-js answers a body that does not decode
 * with INTERNAL ("Error deserializing request"), which says qvmd failed; the fault is the caller's,
 * so the handler refuses it as BAD_REQUEST like any other malformed request (a client-streamed
 * message arrives as an `Undecodable`, which no message shape accepts).
 */
export function tolerantDecoding<S extends grpc.ServiceDefinition>(service: S): S {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(service as grpc.ServiceDefinition)) {
    out[name] = {
      ...m,
      requestDeserialize: (b: Buffer) => {
        try {
          return m.requestDeserialize(b) as unknown;
        } catch (e) {
          return new Undecodable(e instanceof Error ? e.message : String(e), b);
        }
      },
    };
  }
  return out as unknown as S;
}

/** What every handler shares: the log, and why qvmd cannot serve (no readable state), if so. */
export interface Ctx {
  log: (m: string) => void;
  /** Where a refused call's line goes, by kind (RPC and code): rate-limited (util/refusals.ts). */
  refused?: (kind: string, line: string) => void;
  unreadable?: string;
}

/** A failed call's status, its line logged (through the limiter when there is one). */
function failed(ctx: Ctx, name: string, e: unknown): Partial<grpc.StatusObject> {
  const s = toStatus(e);
  const code = e instanceof QvmdError ? e.code : e instanceof z.ZodError ? "STATE_CORRUPT" : "INTERNAL";
  const line = `${name} failed (${code}): ${s.details}`;
  if (ctx.refused) ctx.refused(`${name} ${code}`, line);
  else ctx.log(line);
  return s;
}

/**
 * The caller of a call, from the credentials its connection was accepted with. With no readable
 * state qvmd knows nothing, and unknown is not absent: every call but Health fails (never with
 * NOT_FOUND, which a caller may take for "gone") until a state is restored.
 */
function caller(ctx: Ctx, name: string, call: { getPeer(): string; request?: unknown }): Promise<Caller> {
  noteActivity();
  if (call.request instanceof Undecodable)
    return Promise.reject(
      new QvmdError(
        "invalid",
        "BAD_REQUEST",
        `malformed request: not a ${name} request (${call.request.reason})`,
        {
          property: "request",
        },
      ),
    );
  const c = callerOf(call.getPeer());
  if (!c)
    return Promise.reject(
      new QvmdError("denied", "NO_CALLER", "qvmd cannot tell who is calling; refusing the call", {
        hint: "connect through qvmd's unix socket",
      }),
    );
  if (ctx.unreadable && name !== "Health")
    return Promise.reject(
      new QvmdError("precondition", "STATE_CORRUPT", `qvmd cannot read its state: ${ctx.unreadable}`, {
        hint: "see `qvmctl status` and qvmd's log",
      }),
    );
  return Promise.resolve(c);
}

/** A call with one reply: `fn` gets the call itself (a client stream reads its own messages). */
export function replying<Call extends { getPeer(): string }, Res>(
  ctx: Ctx,
  name: string,
  fn: (call: Call, caller: Caller) => Promise<Res>,
) {
  return (call: Call, cb: grpc.sendUnaryData<Res>) => {
    caller(ctx, name, call)
      .then((c) => fn(call, c))
      .then(
        (res) => cb(null, res),
        (e: unknown) => cb(failed(ctx, name, e) as grpc.ServiceError),
      );
  };
}

export function unary<Req, Res>(ctx: Ctx, name: string, fn: (req: Req, caller: Caller) => Promise<Res>) {
  return replying(ctx, name, (call: grpc.ServerUnaryCall<Req, Res>, c: Caller) => fn(call.request, c));
}

export function streaming<Req, Ev>(
  ctx: Ctx,
  name: string,
  fn: (req: Req, emit: (ev: Ev) => void, caller: Caller, cancelled: AbortSignal) => Promise<Ev>,
) {
  return (call: grpc.ServerWritableStream<Req, Ev>) => {
    // The client cancelled or passed its deadline: work that can stop (a download) does.
    const cancel = new AbortController();
    call.once("cancelled", () => cancel.abort());
    caller(ctx, name, call)
      .then((c) => fn(call.request, (ev) => call.write(ev), c, cancel.signal))
      .then(
        (last) => {
          call.write(last);
          call.end();
        },
        (e: unknown) => call.emit("error", failed(ctx, name, e)),
      );
  };
}

export const progressEvent = (message: string, done = 0, total = 0) => ({
  progress: { message, done, total },
});
