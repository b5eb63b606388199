// `make up` / `make down`: tsx scripts/stack.ts <up|destroy|preview|refresh> <example>
import { guestDir } from "../test/helpers/guest";
import { openStack, outputsJson } from "../test/helpers/workspace";

async function main(): Promise<void> {
  const [verb, example] = process.argv.slice(2);
  if (!verb || !example) throw new Error("usage: stack.ts <up|destroy|preview|refresh> <example>");
  // Every example but the network-only one boots the tiny guest.
  if (example !== "network" && !process.env.QEMU_GUEST_DIR) process.env.QEMU_GUEST_DIR = await guestDir();
  const stack = await openStack({
    example,
    env: process.env.QEMU_GUEST_DIR ? { QEMU_GUEST_DIR: process.env.QEMU_GUEST_DIR } : {},
  });
  // The YAML quick start takes its image from config; here, the tiny guest's disk.
  if (example === "yaml-quickstart" && !(await stack.getAllConfig())["qemu-yaml-quickstart:imageSource"])
    await stack.setConfig("imageSource", { value: `file://${process.env.QEMU_GUEST_DIR}/disk.qcow2` });
  const onOutput = (m: string) => process.stderr.write(m);
  switch (verb) {
    case "up":
      await stack.up({ onOutput });
      // The last thing printed: the stack outputs as JSON, on stdout.
      process.stdout.write(JSON.stringify(await outputsJson(stack), null, 2) + "\n");
      break;
    case "destroy":
      await stack.destroy({ onOutput });
      break;
    case "preview":
      await stack.preview({ onOutput });
      break;
    case "refresh":
      await stack.refresh({ onOutput });
      break;
    default:
      throw new Error(`unknown verb ${verb}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
