// The one way qvmd runs host commands: an argv array through execa (never a shell string), with the
// command and its stderr quoted in the error so failures explain themselves.
import { hostFailure } from "../errors";

type Execa = typeof import("execa", { with: { "resolution-mode": "import" } });
let loaded: Promise<Execa> | undefined;
// execa is ESM-only; this CommonJS package loads it once, lazily.
const execaModule = () => (loaded ??= import("execa"));

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function run(
  file: string,
  args: readonly string[],
  opts: { input?: string; reject?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { execa } = await execaModule();
  const r = await execa(file, args, {
    input: opts.input,
    reject: false,
    timeout: opts.timeoutMs ?? 30000,
    stripFinalNewline: true,
  });
  const exitCode = r.exitCode ?? -1;
  if (exitCode !== 0 && opts.reject !== false) {
    const what = [file, ...args].join(" ");
    const detail = (r.stderr || r.stdout || r.shortMessage || "").trim().split("\n").slice(-5).join(" | ");
    throw hostFailure(`\`${what}\` failed (exit ${exitCode}): ${detail}`, r);
  }
  return { stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), exitCode };
}

/** A command started ahead of its input: see start(). */
export interface Started {
  /** Writes `input`, ends stdin and waits for the outcome (killed after `timeoutMs` from now). */
  send(input: string, timeoutMs: number): Promise<RunResult>;
  /** Ends stdin without writing (idempotent; nothing once sent). */
  end(): void;
}

/**
 * Starts a command now that waits for its stdin (e.g. sandbox-exec --wait-go), so its own start
 * overlaps the caller's work until send(). The caller must send() or end() it.
 */
export async function start(file: string, args: readonly string[]): Promise<Started> {
  const { execa } = await execaModule();
  const p = execa(file, args, { stdin: "pipe", reject: false, stripFinalNewline: true });
  // A command that exited first makes our write fail; its outcome says why.
  p.stdin.on("error", () => undefined);
  let ended = false;
  const end = () => {
    if (!ended) p.stdin.end();
    ended = true;
  };
  return {
    async send(input, timeoutMs) {
      if (ended) throw new Error(`${file}: input already ended`);
      ended = true;
      p.stdin.end(input);
      const timer = setTimeout(() => p.kill("SIGTERM"), timeoutMs);
      try {
        const r = await p;
        return { stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), exitCode: r.exitCode ?? -1 };
      } finally {
        clearTimeout(timer);
      }
    },
    end,
  };
}
