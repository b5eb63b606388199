// One TAP per NIC. QEMU opens every TAP by name in the namespace it runs in (the first NIC's), so
// TAPs are created there, and those of NICs elsewhere (another network's namespace, or a host
// bridge in the root namespace) are moved once QEMU holds them: a TAP keeps its open file across
// namespaces. `ns` undefined means the root namespace.
import { run } from "../util/exec";

const nsArgs = (ns?: string) => (ns ? ["-n", ns] : []);

export async function createTap(ns: string | undefined, tap: string): Promise<void> {
  const exists =
    (await run("ip", [...nsArgs(ns), "link", "show", "dev", tap], { reject: false })).exitCode === 0;
  if (!exists) await run("ip", [...nsArgs(ns), "tuntap", "add", "dev", tap, "mode", "tap"]);
}

export async function moveTap(from: string | undefined, to: string | undefined, tap: string): Promise<void> {
  if (from === to) return;
  // "netns 1" is PID 1's namespace: the root one.
  await run("ip", [...nsArgs(from), "link", "set", "dev", tap, "netns", to ?? "1"]);
}

export async function attachTap(
  ns: string | undefined,
  tap: string,
  master: string,
  mtu?: number,
): Promise<void> {
  const lines = [
    ...(mtu ? [`link set ${tap} mtu ${mtu}`] : []),
    `link set ${tap} master ${master}`,
    `link set ${tap} up`,
  ];
  await run("ip", [...nsArgs(ns), "-batch", "-"], { input: lines.join("\n") + "\n" });
}

export async function deleteTap(ns: string | undefined, tap: string): Promise<void> {
  await run("ip", [...nsArgs(ns), "link", "delete", "dev", tap], { reject: false });
}
