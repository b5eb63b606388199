// Runs an example under examples/ with the Automation API and an inline program: the Go module
// proxy here does not serve pulumi-language-nodejs, so the program runs in this Node process and
// the CLI needs no language host. Local file backend, offline, no update checks. Used by the e2e
// tests and by `make up` (scripts/stack.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface StackOptions {
  example: string;
  stackName?: string;
  /** Directory for the file backend and PULUMI_HOME; default .state/ in the repo. */
  stateDir?: string;
  /** Extra environment for the CLI and the provider (e.g. QVMD_SOCKET). */
  env?: Record<string, string>;
  /** Run this program instead of the example's index.ts (the example's Pulumi.yaml still applies). */
  program?: () => Promise<Record<string, unknown> | void>;
}

export function pulumiEnv(stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const backend = path.join(stateDir, "backend");
  fs.mkdirSync(backend, { recursive: true });
  return {
    PATH: [path.join(ROOT, ".tools", "pulumi"), path.join(ROOT, "provider"), process.env.PATH ?? ""].join(
      ":",
    ),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_HOME: path.join(stateDir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extra,
  };
}

/** Examples in Pulumi YAML run through the CLI and the YAML language host; the rest are inline. */
export const isYamlExample = (example: string): boolean =>
  /^runtime:\s*yaml\s*$/m.test(fs.readFileSync(path.join(ROOT, "examples", example, "Pulumi.yaml"), "utf8"));

export async function openStack(o: StackOptions): Promise<Stack> {
  const workDir = path.join(ROOT, "examples", o.example);
  if (!fs.existsSync(path.join(workDir, "Pulumi.yaml")))
    throw new Error(`no example named ${o.example} (examples/${o.example}/Pulumi.yaml)`);
  const env = pulumiEnv(o.stateDir ?? path.join(ROOT, ".state"), o.env);
  // Stack config lives beside Pulumi.yaml; a private state dir (tests) means a fresh stack, so a
  // config file left by an earlier run must not leak into it.
  if (o.stateDir) fs.rmSync(path.join(workDir, `Pulumi.${o.stackName ?? "dev"}.yaml`), { force: true });
  // The CLI reads these from the workspace env; the program (this process) needs PATH too.
  Object.assign(process.env, env);
  if (!o.program && isYamlExample(o.example))
    return LocalWorkspace.createOrSelectStack({ stackName: o.stackName ?? "dev", workDir }, { envVars: env });
  const program =
    o.program ??
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(path.join(workDir, "index.ts")) as () => Promise<Record<string, unknown>>);
  return LocalWorkspace.createOrSelectStack(
    { projectName: `qemu-${o.example}`, stackName: o.stackName ?? "dev", program },
    { workDir, envVars: env },
  );
}

/** Stack outputs as plain JSON values. */
export async function outputsJson(stack: Stack): Promise<Record<string, unknown>> {
  const out = await stack.outputs();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
}
