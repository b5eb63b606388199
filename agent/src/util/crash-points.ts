// Deterministic kill points for the chaos tests (test/chaos/). Off unless qvmd was started with
// one of these variables in its environment; nothing a caller sends can set or change them.
//   QVMD_TEST_CRASH_AT=<point>[@<n>]  SIGKILL ourselves the n-th time (default: the first) <point>
//                                     is reached, e.g. instance.launch, network.nft@2
//   QVMD_TEST_CRASH_TRACE=<file>      append every point reached, one per line, so a test can list
//                                     the points an operation passes and then kill at each
// A point is named <resource>.<step>; reaching it is a synchronous call, so the kill lands exactly
// between two steps (what is on disk and in the kernel is what the previous steps left).
import * as fs from "node:fs";

interface Armed {
  point: string;
  nth: number;
  hits: number;
}

function arm(v: string | undefined): Armed | undefined {
  const m = /^([a-zA-Z][\w.-]*)(?:@(\d+))?$/.exec(v ?? "");
  return m ? { point: m[1]!, nth: Number(m[2] ?? 1), hits: 0 } : undefined;
}

const armed = arm(process.env.QVMD_TEST_CRASH_AT);
const trace = process.env.QVMD_TEST_CRASH_TRACE;

/** A step boundary that the chaos tests may kill qvmd at. A no-op in normal operation. */
export function crashPoint(point: string): void {
  if (trace) fs.appendFileSync(trace, `${point}\n`);
  if (!armed || armed.point !== point || ++armed.hits < armed.nth) return;
  fs.writeSync(2, `qvmd[${process.pid}] QVMD_TEST_CRASH_AT: SIGKILL at ${point} (hit ${armed.hits})\n`);
  process.kill(process.pid, "SIGKILL");
}

/** Whether a crash point is armed: qvmd says so in its log at start, so a run cannot mistake it. */
export const crashPointsArmed = (): string | undefined =>
  armed || trace
    ? `test crash points armed (QVMD_TEST_CRASH_AT=${process.env.QVMD_TEST_CRASH_AT ?? ""}, trace ${trace ?? "off"})`
    : undefined;

/**
 * `host` with a crash point before each of its operations that changes something
 * (`<resource>.<operation>`); `readOnly` names the ones that only look. Unarmed, `host` itself.
 */
export function withCrashPoints<T extends object>(
  resource: string,
  host: T,
  readOnly: ReadonlyArray<keyof T>,
): T {
  if (!armed && !trace) return host;
  return new Proxy(host, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || typeof prop !== "string" || readOnly.includes(prop as keyof T)) return v;
      return (...args: unknown[]) => {
        crashPoint(`${resource}.${prop}`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
