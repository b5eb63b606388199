// Warm start vs cold boot, in the same run, through a real qvmd and the tiny test guest (TCG):
//   cold   ApplyInstance from the Image, waitFor ssh: QEMU start -> boot -> DHCP -> SSH banner
//   clone  ApplyInstance from an InstanceTemplate of the same guest, waitFor ssh: restore -> NIC
//          hot-plug -> DHCP -> SSH banner
// one at a time (median of ROUNDS) and N at once (wall time until all answer SSH), plus the
// template's save time and sizes. Prints milliseconds and ratios; asserts nothing.
// Usage: tsx bench/warmstart/run.ts [N=4] [ROUNDS=3]   (root, under the host lock)
import type { InstanceSpec } from "@pulumi-qemu/api";
import { guestImage } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";

const N = Number(process.argv[2] ?? 4);
const ROUNDS = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mac = (k: number) =>
  `52:54:00:4d:${(k >> 8).toString(16).padStart(2, "0")}:${(k & 255).toString(16).padStart(2, "0")}`;

async function main(): Promise<void> {
  const agent = new TestAgent();
  const c = await agent.start();
  let k = 0;
  const spec = (id: string, s: Partial<InstanceSpec>): InstanceSpec => ({
    id,
    memory_mb: 256,
    nics: [{ network_id: "qbw", mac: mac(++k) }],
    running: true,
    wait_for_ip_seconds: 300,
    wait_for: "ssh",
    ...s,
  });
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  try {
    await c.applyNetwork({ id: "qbw", cidr: "10.236.0.0/22", nat: true, dhcp: { enabled: true } });
    await c.applyImage(await guestImage("img"));
    const tpl = await c.applyTemplate({
      id: "tw",
      image_id: "img",
      network_id: "qbw",
      memory_mb: 256,
      wait_for: "ssh",
    });
    console.log(
      `template: boot->ready ${tpl.boot_ms} ms, unplug+save ${tpl.save_ms} ms, state ${(Number(tpl.state_bytes) / 1e6).toFixed(2)} MB, memory file ${(Number(tpl.memory_bytes) / 1e6).toFixed(0)} MB on disk`,
    );
    const cold: number[] = [];
    const warm: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      cold.push(await timed(() => c.applyInstance(spec(`cold${r}`, { image_id: "img" }))));
      warm.push(await timed(() => c.applyInstance(spec(`warm${r}`, { template_id: "tw" }))));
      await c.deleteInstance(`cold${r}`);
      await c.deleteInstance(`warm${r}`);
    }
    const ids = Array.from({ length: N }, (_, i) => i);
    const coldN = await timed(() =>
      Promise.all(ids.map((i) => c.applyInstance(spec(`pc${i}`, { image_id: "img" })))),
    );
    for (const i of ids) await c.deleteInstance(`pc${i}`);
    const warmN = await timed(() =>
      Promise.all(ids.map((i) => c.applyInstance(spec(`pw${i}`, { template_id: "tw" })))),
    );
    for (const i of ids) await c.deleteInstance(`pw${i}`);
    const row = (what: string, coldMs: number, warmMs: number) =>
      console.log(
        `${what.padEnd(28)} cold ${coldMs.toFixed(0).padStart(6)} ms   clone ${warmMs.toFixed(0).padStart(6)} ms   cold/clone ${(coldMs / warmMs).toFixed(1)}x`,
      );
    console.log(`ready = SSH banner, TCG, 256 MiB, 1 vCPU, ${ROUNDS} rounds (median)`);
    row("one instance -> ready", median(cold), median(warm));
    row(`${N} at once -> all ready`, coldN, warmN);
    console.log(
      `  cold runs: ${cold.map((x) => x.toFixed(0)).join(" ")}; clone runs: ${warm.map((x) => x.toFixed(0)).join(" ")}`,
    );
  } finally {
    await agent.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
