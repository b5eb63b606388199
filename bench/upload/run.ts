// Image import from a local file: the client reading the file as its user and streaming it to qvmd
// (UploadBlob, then ApplyImage naming the digest) vs the raw floor, a plain copy of the same file
// into the same filesystem with a sha256 of it, in the same run. Prints MiB/s and the ratio;
// asserts nothing. Usage: tsx bench/upload/run.ts [MiB] [N]   (root)
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { TestAgent } from "../../test/helpers/agent";

const MIB = Number(process.argv[2] ?? 512);
const N = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function copyAndHash(src: string, dest: string): Promise<void> {
  const h = createHash("sha256");
  const r = fs.createReadStream(src, { highWaterMark: 1024 * 1024 });
  r.on("data", (d) => h.update(d));
  await pipeline(r, fs.createWriteStream(dest));
  h.digest("hex");
}

async function main(): Promise<void> {
  const agent = new TestAgent();
  const c = await agent.start();
  const file = path.join(agent.dir, "disk.raw");
  // Not zeros: a file of random-ish bytes, so nothing along the way can shortcut it.
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  const fd = fs.openSync(file, "w");
  for (let i = 0; i < MIB; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
  const upload: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      let t = process.hrtime.bigint();
      await copyAndHash(file, path.join(agent.dir, "copy"));
      floor.push(MIB / secs(t));
      fs.rmSync(path.join(agent.dir, "copy"));
      t = process.hrtime.bigint();
      await c.applyImage({ id: `u${i}`, source: `file://${file}`, format: "raw" });
      upload.push(MIB / secs(t));
      await c.deleteImage(`u${i}`);
    }
  } finally {
    await agent.stop();
  }
  const u = median(upload);
  const f = median(floor);
  console.log(`import of a ${MIB} MiB file, median of ${N}:`);
  console.log(`  client upload + ApplyImage   ${u.toFixed(0)} MiB/s`);
  console.log(`  floor: copy + sha256         ${f.toFixed(0)} MiB/s`);
  console.log(`  ratio (floor / upload)       ${(f / u).toFixed(2)}x`);
}

void main();
