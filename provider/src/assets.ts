// Files the provider reads at run time that are not code: in the checkout, or beside the executable
// in the plugin tarball (scripts/dist/plugin.sh).
import * as path from "node:path";
import { BUNDLED, besideExecutable } from "@pulumi-qemu/api";

const repo = path.resolve(__dirname, "..", ".."); // from provider/src or provider/dist

export const assets = {
  /** The provider's Pulumi schema (GetSchema). */
  schema: BUNDLED ? besideExecutable("schema.json") : path.join(repo, "schema.json"),
  /** qvmd's entry point in the checkout, which the provider may start (dev mode); none when bundled. */
  agentMain: BUNDLED ? undefined : path.join(repo, "agent", "dist", "main.js"),
};
