// Writes a NoCloud seed ISO with qvmd's own writer (agent/src/qemu/iso9660.ts), so the test guest's
// seeds are the bytes qvmd gives its VMs and no ISO tool has to be installed.
// Usage: tsx scripts/guest/tools/seed-iso.ts <out.iso> <user-data> <meta-data> [network-config]
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSeedIso } from "../../../agent/src/qemu/seed";

async function main(argv: string[]): Promise<void> {
  if (argv.length < 3 || argv.length > 4) {
    console.error("usage: seed-iso.ts <out.iso> <user-data> <meta-data> [network-config]");
    process.exit(2);
  }
  const [out, user, meta, net] = argv as [string, string, string, string?];
  await buildSeedIso(path.resolve(out), {
    userData: fs.readFileSync(user, "utf8"),
    metaData: fs.readFileSync(meta, "utf8"),
    networkConfig: net === undefined ? undefined : fs.readFileSync(net, "utf8"),
  });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`seed-iso.ts: error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
