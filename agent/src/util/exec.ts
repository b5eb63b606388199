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
