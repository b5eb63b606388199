// The NoCloud seed alone: qvmd's in-process ISO 9660 + Joliet writer (buildSeedIso in agent/src/qemu/seed.ts:
// image in memory, one file write, a rename) vs what it replaced, genisoimage exec'd over the files
// written to a scratch directory (the same steps the old buildSeedIso took, PATH lookup excepted).
// Same files, same directory, alternating. Prints milliseconds and the ratio; asserts nothing.
// Usage: tsx bench/instance/seed.ts [N]   (needs genisoimage: make bench-setup; no root)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSeedIso, renderMetaData, renderUserData } from "../../agent/src/qemu/seed";
import { run } from "../../agent/src/util/exec";
import { median, since } from "../lib/results";

const N = Number(process.argv[2] ?? 50);

async function genisoimage(out: string, files: Record<string, string>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(path.dirname(out), ".gen-"));
  try {
    const content = path.join(dir, "content");
    fs.mkdirSync(content);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(content, name), text);
    const tmp = path.join(dir, "seed.iso");
    await run("genisoimage", ["-quiet", "-output", tmp, "-volid", "cidata", "-joliet", "-rock", content]);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-seedbench-"));
  const userData = renderUserData({ hostname: "web", sshAuthorizedKeys: ["ssh-ed25519 AAAA bench@x"] });
  const metaData = renderMetaData({ instanceId: "web1", hostname: "web" });
  const networkConfig = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";
  const ours: number[] = [];
  const peer: number[] = [];
  try {
    for (let i = -3; i < N; i++) {
      // The first rounds warm both up (module load, page cache, the exec path); not counted.
      let t = process.hrtime.bigint();
      await buildSeedIso(path.join(dir, "ours.iso"), { userData, metaData, networkConfig });
      if (i >= 0) ours.push(since(t));
      t = process.hrtime.bigint();
      await genisoimage(path.join(dir, "gen.iso"), {
        "user-data": userData,
        "meta-data": metaData,
        "network-config": networkConfig,
      });
      if (i >= 0) peer.push(since(t));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const o = median(ours);
  const p = median(peer);
  console.log(`seed build, ${N} each, medians (2 cores, shared with other work; times in ms):`);
  console.log(`  in process (buildSeedIso)        ${o.toFixed(2)}  (min ${Math.min(...ours).toFixed(2)})`);
  console.log(`  genisoimage exec (as before)     ${p.toFixed(2)}  (min ${Math.min(...peer).toFixed(2)})`);
  console.log(`  ratio ours/genisoimage           ${(o / p).toFixed(2)}x`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
