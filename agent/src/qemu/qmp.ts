// A QMP client over QEMU's unix control socket. QEMU serves one client at a time: a second
// connection only gets its greeting once the first closes, so callers share one client per VM.
import { EventEmitter } from "node:events";
import * as net from "node:net";
import { type ErrorCode, QvmdError } from "../errors";
import { QmpLineDecoder, encodeQmpCommand, parseQmpLine, type QmpMessage } from "./qmp-wire";

export type QmpEvent = Extract<QmpMessage, { kind: "event" }>;

export class QmpCommandError extends QvmdError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super("internal", "QMP_COMMAND_FAILED", `QMP \`${command}\` failed: ${errorClass}: "${desc}"`);
  }
}

const qmpFailure = (code: ErrorCode, message: string, cause?: unknown) =>
  new QvmdError("internal", code, message, { cause });

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

type Listener = Parameters<EventEmitter["on"]>[1];

export class QmpClient extends EventEmitter {
  private readonly decoder = new QmpLineDecoder();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closed = false;
  private closeError: Error | undefined;
  version = { major: 0, minor: 0, micro: 0 };

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
    private readonly defaultTimeoutMs: number,
  ) {
    super();
  }

  /** Connects, waits for the greeting and leaves capabilities negotiation mode. */
  static async connect(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 10000;
    const socket = net.createConnection({ path: socketPath });
    const client = new QmpClient(socket, socketPath, timeoutMs);
    const greeting = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(qmpFailure("QMP_TIMEOUT", `no QMP greeting on ${socketPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      client.onGreeting = (v) => {
        clearTimeout(timer);
        client.version = v;
        client.onEarlyClose = undefined;
        resolve();
      };
      client.onEarlyClose = (err) => {
        clearTimeout(timer);
        reject(qmpFailure("QMP_CONNECT_FAILED", `cannot talk QMP on ${socketPath}: ${err.message}`, err));
      };
    });
    socket.on("data", (chunk) => client.receive(chunk));
    socket.on("error", (err) => client.shutdown(err));
    socket.on("close", () => client.shutdown());
    try {
      await greeting;
      await client.execute("qmp_capabilities", undefined, timeoutMs);
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  private onGreeting: ((v: QmpClient["version"]) => void) | undefined;
  private onEarlyClose: ((err: Error) => void) | undefined;

  override on(event: "event", listener: (e: QmpEvent) => void): this;
  override on(event: "close", listener: (err?: Error) => void): this;
  override on(event: string | symbol, listener: Listener): this {
    return super.on(event, listener);
  }

  override off(event: "event", listener: (e: QmpEvent) => void): this;
  override off(event: "close", listener: (err?: Error) => void): this;
  override off(event: string | symbol, listener: Listener): this {
    return super.off(event, listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    if (this.closed)
      return Promise.reject(
        qmpFailure("QMP_DISCONNECTED", `QMP \`${command}\` not sent: ${this.socketPath} is closed`),
      );
    const id = `qvm-${this.nextId++}`;
    const ms = timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A late reply finds no pending entry and is dropped.
        this.pending.delete(id);
        reject(qmpFailure("QMP_TIMEOUT", `QMP \`${command}\` got no reply within ${ms} ms`));
      }, ms);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(encodeQmpCommand(command, args, id));
    });
  }

  /**
   * Resolves on the next event `name` (matching `predicate`). Register before sending the command
   * that causes it: QEMU may emit the event before the command's reply.
   */
  waitEvent(
    name: string,
    timeoutMs: number,
    predicate: (e: QmpEvent) => boolean = () => true,
  ): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off("event", onEvent);
        this.off("close", onClose);
      };
      const onEvent = (e: QmpEvent) => {
        if (e.event !== name || !predicate(e)) return;
        cleanup();
        resolve(e);
      };
      const onClose = () => {
        cleanup();
        reject(qmpFailure("QMP_DISCONNECTED", `QMP closed while waiting for event ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(qmpFailure("QMP_TIMEOUT", `no QMP event ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (this.closed) return onClose();
      this.on("event", onEvent);
      this.on("close", onClose);
    });
  }

  async queryStatus(): Promise<{ running: boolean; status: string }> {
    const r = await this.execute<{ running: boolean; status: string }>("query-status");
    return { running: r.running, status: r.status };
  }

  /** ACPI power button: only a guest OS that listens acts on it. */
  async powerdown(): Promise<void> {
    await this.execute("system_powerdown");
  }

  /** Ends QEMU at once. The reply may race with the socket closing; both mean success. */
  async quit(): Promise<void> {
    try {
      await this.execute("quit");
    } catch (e) {
      if (!(e instanceof QvmdError && e.code === "QMP_DISCONNECTED")) throw e;
    }
  }

  close(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private receive(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.decoder.push(chunk);
    } catch (e) {
      this.socket.destroy();
      this.shutdown(e as Error);
      return;
    }
    for (const line of lines) {
      let m: QmpMessage;
      try {
        m = parseQmpLine(line);
      } catch {
        continue; // Not ours to interpret; a reply we miss ends in that command's timeout.
      }
      this.dispatch(m);
    }
  }

  private dispatch(m: QmpMessage): void {
    if (m.kind === "greeting") return this.onGreeting?.(m.version);
    if (m.kind === "event") {
      this.emit("event", m);
      return;
    }
    // QEMU answers in order; a reply without an id (e.g. to unparsable input) is the oldest one's.
    const id = m.id ?? this.pending.keys().next().value;
    const p = id !== undefined ? this.pending.get(id) : undefined;
    if (!p || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (m.kind === "return") p.resolve(m.value);
    else p.reject(new QmpCommandError(p.command, m.errorClass, m.desc));
  }

  private shutdown(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    this.onEarlyClose?.(err ?? new Error("connection closed"));
    this.onEarlyClose = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(
        qmpFailure(
          "QMP_DISCONNECTED",
          `QMP \`${p.command}\` lost its connection${err ? `: ${err.message}` : ""}`,
          err,
        ),
      );
    }
    this.emit("close", this.closeError);
  }
}
