// qvmd and its DNS process measured while working: the loaded figures of run.ts come after both
// went quiet and gave back what they could (agent/src/util/memtrim.ts). Here: a query to each
// forwarder (one answered from its zone, one forwarded to its dead upstream), then a GetInstance
// and a GetDnsForwarder (its stats, from the DNS process) for every object, measured at once,
// before the next quiet period's trim.
import * as dgram from "node:dgram";
import type { QvmdClient } from "@pulumi-qemu/api";
import { statusKb } from "./procmem";

/** One A query to a forwarder, from the host (the gateway address is the host's); true if answered. */
function ask(address: string, port: number, name: string): Promise<boolean> {
  const s = dgram.createSocket("udp4");
  const id = Math.floor(Math.random() * 65536);
  const q = Buffer.concat([
    Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  return new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 1500);
    s.on("message", () => {
      clearTimeout(t);
      resolve(true);
    });
    s.on("error", () => resolve(false));
    s.send(q, port, address);
  }).finally(() => s.close());
}

/** RSS (kB) of qvmd and of its DNS process right after a round of work; DNS queries answered. */
export async function measureWorking(c: QvmdClient, pid: number, kids: number[], nets: number, per: number) {
  const fwds = await Promise.all(Array.from({ length: nets }, (_, n) => c.getDnsForwarder(`qmd${n}`)));
  const answers = await Promise.all(
    fwds.flatMap((f, n) => [
      ask(f.address, f.port, `qm${n}i0.bench.internal`),
      ask(f.address, f.port, "example.com"),
    ]),
  );
  await Promise.all([
    ...Array.from({ length: nets * per }, (_, k) => c.getInstance(`qm${Math.floor(k / per)}i${k % per}`)),
    ...Array.from({ length: nets }, (_, n) => c.getDnsForwarder(`qmd${n}`)),
  ]);
  return {
    qvmd: statusKb(pid, "VmRSS"),
    dns: kids.reduce((a, h) => a + statusKb(h, "VmRSS"), 0),
    answered: answers.filter(Boolean).length,
    asked: answers.length,
  };
}
