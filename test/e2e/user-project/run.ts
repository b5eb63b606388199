// Runs the program in index.ts through the Automation API (an inline program: the Node language
// host is not needed). Usage: node run.js <up|refresh-up|preview|destroy> [key=value config...];
// prints the stack outputs as JSON on the last line of stdout after `up`.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import program from "./index";

async function main(): Promise<void> {
  const [verb, ...config] = process.argv.slice(2);
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: "qvx-user-app", stackName: "dev", program },
    { workDir: __dirname },
  );
  for (const kv of config) {
    const i = kv.indexOf("=");
    await stack.setConfig(kv.slice(0, i), { value: kv.slice(i + 1) });
  }
  const onOutput = (m: string) => process.stderr.write(m);
  if (verb === "up" || verb === "refresh-up") {
    await stack.up({ onOutput, refresh: verb === "refresh-up" });
    const out = await stack.outputs();
    process.stdout.write(
      JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]))) + "\n",
    );
  } else if (verb === "preview") await stack.preview({ onOutput });
  else if (verb === "destroy") await stack.destroy({ onOutput });
  else throw new Error(`unknown verb ${verb}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
