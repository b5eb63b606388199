// A qvmd that restarts (a crash, an upgrade, systemd's Restart=) must not fail a deployment or lose
// a resource. A call that fails UNAVAILABLE (the connection dropped, or the socket does not answer)
// is repeated once qvmd answers again, within a bounded wait. Repeating is safe for every call: the
// provider chooses the ids, Apply* converges an existing object, Delete* of a gone one succeeds,
// Check* and Get* change nothing (qvmd.proto, "Names and idempotency").
import { AgentError, connect, type QvmdClient } from "@pulumi-qemu/api";

/** How long a call waits, in total, for a restarting qvmd before its error stands. */
export const DEFAULT_RESTART_WAIT_MS = 60000;
const POLL_MS = 250;
/** Where nothing else restarts qvmd, how long a crashed one gets before the provider starts it. */
export const RESTART_GRACE_MS = 5000;
/** A qvmd that keeps dying under one call is not restarting: stop after this many attempts. */
const MAX_ATTEMPTS = 8;

/**
 * A call cut before its answer: UNAVAILABLE (no connection, or it dropped: a crash) or CANCELLED
 * (the server went away mid-call; the provider itself never cancels). DEADLINE_EXCEEDED is
 * unknown too, but it spent the operation's time: the caller reports it instead of repeating.
 */
export const isRetryable = (e: unknown): e is AgentError =>
  e instanceof AgentError && (e.code === "UNAVAILABLE" || e.code === "CANCELLED");

/** The wait budget from QVMD_RESTART_WAIT_SECONDS (a non-negative number), else the default. */
export function restartWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.QVMD_RESTART_WAIT_SECONDS);
  return env.QVMD_RESTART_WAIT_SECONDS !== undefined && Number.isFinite(s) && s >= 0
    ? s * 1000
    : DEFAULT_RESTART_WAIT_MS;
}

/**
 * The provider's connection to qvmd, shared by every resource. After a failure it is replaced by a
 * fresh one (a channel that saw the old socket die backs off for seconds before it tries again).
 */
export class AgentLink {
  private reconnecting?: Promise<boolean>;

  constructor(
    public current: QvmdClient,
    readonly socket: () => string,
    readonly waitMs: number,
    /**
     * Where the provider started qvmd itself (a checkout; no service will restart it): start it
     * again when it has not come back after `afterMs`.
     */
    private readonly restart?: { afterMs: number; start: () => Promise<QvmdClient> },
  ) {}

  /** Polls Health on fresh connections until one answers; false when `until` passes first. */
  reconnect(until: number): Promise<boolean> {
    // Calls failing together share one reconnection.
    this.reconnecting ??= this.poll(until).finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private async poll(until: number): Promise<boolean> {
    const restartAt = this.restart ? Date.now() + this.restart.afterMs : Infinity;
    while (Date.now() < until) {
      if (Date.now() >= restartAt) {
        const c = await this.restart!.start().catch(() => undefined);
        if (c) {
          this.current.close();
          this.current = c;
          return true;
        }
      }
      const c = connect(this.socket());
      try {
        await c.health(Math.max(100, Math.min(1000, until - Date.now())));
        this.current.close();
        this.current = c;
        return true;
      } catch {
        c.close();
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    return false;
  }
}

/** A QvmdClient whose calls survive qvmd restarts; `onWait` is told when a call waits. */
export function resilientClient(link: AgentLink, onWait: (message: string) => void): QvmdClient {
  async function call<T>(name: string, run: (c: QvmdClient) => Promise<T>): Promise<T> {
    let until: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(link.current);
      } catch (e) {
        if (!isRetryable(e) || attempt >= MAX_ATTEMPTS) throw e;
        until ??= Date.now() + link.waitMs;
        onWait(
          `qvmd is unavailable (${e.message}); waiting up to ${Math.round(link.waitMs / 1000)} s ` +
            `for it to come back to repeat ${name}`,
        );
        if (!(await link.reconnect(until))) throw e;
      }
    }
  }

  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(link.current) as Array<keyof QvmdClient>) {
    wrapped[name] =
      name === "close"
        ? () => link.current.close()
        : (...args: unknown[]) =>
            call(name, (c) => (c[name] as (...a: unknown[]) => Promise<unknown>)(...args));
  }
  return wrapped as unknown as QvmdClient;
}
