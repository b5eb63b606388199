// The NoCloud seed: an ISO 9660 volume labelled `cidata` holding user-data, meta-data and
// optionally network-config, which cloud-init finds by its label.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { QvmdError } from "../errors";
import { temp } from "../constants";
import { run } from "../util/exec";

export * from "./seed-render";

export const SEED_LABEL = "cidata";

// Debian's genisoimage first; xorriso speaks the same options through its mkisofs emulation.
const ISO_TOOLS: { file: string; prefix: string[] }[] = [
  { file: "genisoimage", prefix: [] },
  { file: "xorriso", prefix: ["-as", "mkisofs"] },
  { file: "mkisofs", prefix: [] },
];

async function onPath(file: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    if (!dir) continue;
    try {
      await fs.access(path.join(dir, file), fs.constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

async function isoTool(): Promise<{ file: string; prefix: string[] }> {
  for (const t of ISO_TOOLS) if (await onPath(t.file)) return t;
  throw new QvmdError("precondition", "SEED_TOOL_MISSING", "no ISO 9660 tool found to build the seed", {
    hint: "install genisoimage or xorriso",
  });
}

// Found once per process: looking through PATH took 4 fs.access calls per seed (16 ms in the
// profile of an instance create, bench/instance/PROFILE.md). Forgotten when a build fails, so a tool
// removed meanwhile is looked for again on the next try.
let found: Promise<{ file: string; prefix: string[] }> | undefined;
function cachedIsoTool(): Promise<{ file: string; prefix: string[] }> {
  const t = (found ??= isoTool());
  t.catch(() => {
    if (found === t) found = undefined;
  });
  return t;
}

/** Builds the seed next to `outPath` and renames it into place, so a reader never sees half an ISO. */
export async function buildSeedIso(
  outPath: string,
  files: { userData: string; metaData: string; networkConfig?: string },
): Promise<void> {
  const tool = await cachedIsoTool();
  // A crash while a seed was being built left its scratch directory (ours by its prefix, in a
  // directory only root writes to): gone before the next is made, so a retry converges.
  const parent = path.dirname(outPath);
  for (const e of await fs.readdir(parent).catch(() => [] as string[]))
    if (e.startsWith(temp.seedDir)) await fs.rm(path.join(parent, e), { recursive: true, force: true });
  const dir = await fs.mkdtemp(path.join(parent, temp.seedDir));
  try {
    const content = path.join(dir, "content");
    await fs.mkdir(content);
    await fs.writeFile(path.join(content, "user-data"), files.userData);
    await fs.writeFile(path.join(content, "meta-data"), files.metaData);
    if (files.networkConfig !== undefined)
      await fs.writeFile(path.join(content, "network-config"), files.networkConfig);
    const tmp = path.join(dir, "seed.iso");
    await run(tool.file, [
      ...tool.prefix,
      "-quiet",
      "-output",
      tmp,
      "-volid",
      SEED_LABEL,
      "-joliet",
      "-rock",
      content,
    ]);
    await fs.rename(tmp, outPath);
  } catch (e) {
    found = undefined;
    throw e;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
