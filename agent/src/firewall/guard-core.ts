// The decisions of the firewall guard, without the `nft monitor` process: debounce of events, our own
// changes kept from triggering repairs, one repair at a time, and the periodic backstop.
//
// Own changes: while `suppress(fn)` runs (and `graceMs` after, since monitor lines arrive through a
// pipe after the kernel committed), events are not repairs but only a reason to verify: when the
// window closes, `check()` runs once, and repairs only if something is really missing. So a repair
// never triggers itself (its own deletes land in its window; check() then finds everything), yet a
// foreign change that happened to land inside the window (Docker re-creating FORWARD with DROP right
// after we repaired) is still caught. Repairs that keep not holding are bounded by `maxChained`, then
// left to the periodic check, so a broken host cannot make us spin.
import { FIREWALL_CHECK_PERIOD_MS } from "../constants";
import { classifyMonitorLine, summarize } from "./events";

export interface GuardStatus {
  /** `nft monitor` is running: changes are noticed at once, not only by the periodic check. */
  watching: boolean;
  lastEvent?: string;
  lastRepairAt?: string;
  lastError?: string;
}

export interface GuardCoreOptions {
  onChange: (reason: string) => Promise<void>;
  check: () => Promise<string[]>;
  periodMs?: number;
  log?: (m: string) => void;
  debounceMs?: number;
  graceMs?: number;
  maxChained?: number;
  now?: () => Date;
}

type VerifyOrigin = "own" | "periodic" | "monitor";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A run of own-triggered repairs older than this no longer counts against the bound. */
const STREAK_RESET_MS = 5000;

export class GuardCore {
  watching = false;
  monitorError?: string;
  private lastEvent?: string;
  private lastRepairAt?: string;
  private repairError?: string;
  private checkError?: string;

  private depth = 0;
  private sawOwn = false;
  private burst: string[] = [];
  private debounce?: NodeJS.Timeout;
  private burstStarted = 0;
  private pendingRepair?: string;
  private pendingVerify?: VerifyOrigin;
  private chained = 0;
  private running = false;
  private draining?: Promise<void>;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  readonly periodMs: number;
  private readonly debounceMs: number;
  private readonly graceMs: number;
  private readonly maxChained: number;
  private readonly log: (m: string) => void;
  private readonly now: () => Date;

  constructor(private readonly opts: GuardCoreOptions) {
    this.periodMs = opts.periodMs ?? FIREWALL_CHECK_PERIOD_MS;
    this.debounceMs = opts.debounceMs ?? 100;
    this.graceMs = opts.graceMs ?? 250;
    this.maxChained = opts.maxChained ?? 3;
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    this.schedulePeriodic();
  }

  /** Resolves when a repair or check in flight has finished: none starts after this. */
  stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    return this.draining ?? Promise.resolve();
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  private schedulePeriodic(): void {
    this.later(this.periodMs, () => {
      this.requestVerify("periodic");
      this.schedulePeriodic();
    });
  }

  /** One line of `nft monitor ruleset`. */
  line(text: string): void {
    const reason = classifyMonitorLine(text);
    if (reason === undefined || this.stopped) return;
    if (this.depth > 0) {
      this.sawOwn = true;
      return;
    }
    this.lastEvent = reason;
    this.burst.push(reason);
    const nowMs = this.now().getTime();
    if (this.debounce === undefined) this.burstStarted = nowMs;
    else {
      clearTimeout(this.debounce);
      this.timers.delete(this.debounce);
    }
    // A steady stream of events must not postpone the repair forever.
    const wait = nowMs - this.burstStarted >= this.debounceMs * 10 ? 0 : this.debounceMs;
    this.debounce = this.later(wait, () => {
      this.debounce = undefined;
      const why = summarize(this.burst);
      this.burst = [];
      this.chained = 0;
      this.requestRepair(why);
    });
  }

  /** True while events are taken as caused by our own changes. */
  get suppressing(): boolean {
    return this.depth > 0;
  }

  async suppress<T>(fn: () => Promise<T>): Promise<T> {
    this.depth++;
    try {
      return await fn();
    } finally {
      const close = () => {
        this.depth--;
        if (this.depth === 0 && this.sawOwn) {
          this.sawOwn = false;
          this.requestVerify("own");
        }
      };
      if (this.stopped) this.depth--;
      else this.later(this.graceMs, close);
    }
  }

  noteRepair(ok: boolean, error?: string): void {
    if (ok) {
      this.lastRepairAt = this.now().toISOString();
      this.repairError = undefined;
    } else this.repairError = error ?? "repair failed";
  }

  status(): GuardStatus {
    const lastError = this.repairError ?? this.checkError ?? this.monitorError;
    return {
      watching: this.watching,
      ...(this.lastEvent !== undefined && { lastEvent: this.lastEvent }),
      ...(this.lastRepairAt !== undefined && { lastRepairAt: this.lastRepairAt }),
      ...(lastError !== undefined && { lastError }),
    };
  }

  requestVerify(origin: VerifyOrigin): void {
    // A stronger origin wins: "own" is the one whose repairs are bounded.
    if (this.pendingVerify === undefined || this.pendingVerify === "own") this.pendingVerify = origin;
    this.kick();
  }

  private requestRepair(reason: string): void {
    this.pendingRepair = this.pendingRepair === undefined ? reason : `${this.pendingRepair}; ${reason}`;
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.draining = this.drain().finally(() => {
      this.running = false;
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      if (this.pendingRepair !== undefined) {
        const reason = this.pendingRepair;
        this.pendingRepair = undefined;
        await this.repair(reason);
      } else if (this.pendingVerify !== undefined) {
        const origin = this.pendingVerify;
        this.pendingVerify = undefined;
        await this.verify(origin);
      } else return;
    }
  }

  private async repair(reason: string): Promise<void> {
    this.log(`firewall: ${reason}; restoring our rules`);
    try {
      await this.suppress(() => this.opts.onChange(reason));
      this.noteRepair(true);
    } catch (e) {
      this.noteRepair(false, message(e));
      this.log(`firewall: repair failed: ${message(e)}`);
    }
  }

  private async verify(origin: VerifyOrigin): Promise<void> {
    let missing: string[];
    try {
      missing = await this.opts.check();
      this.checkError = undefined;
    } catch (e) {
      this.checkError = `check failed: ${message(e)}`;
      this.log(`firewall: ${this.checkError}`);
      return;
    }
    if (missing.length === 0) {
      this.chained = 0;
      return;
    }
    if (origin === "own") {
      // The bound is for repairs that keep not holding, back to back; a long-past streak must not
      // make a fresh loss (another tool acting while we were busy) wait for the periodic check.
      const last = this.lastRepairAt !== undefined ? Date.parse(this.lastRepairAt) : 0;
      if (this.now().getTime() - last > STREAK_RESET_MS) this.chained = 0;
      if (this.chained >= this.maxChained) {
        this.repairError = `repairs did not hold: ${summarize(missing)}`;
        this.log(`firewall: ${this.repairError}; leaving it to the periodic check`);
        return;
      }
      this.chained++;
    } else this.chained = 0;
    this.requestRepair(
      `${origin === "periodic" ? "periodic check" : "check"}: ${summarize(missing)} missing`,
    );
  }
}
