// One TAP per NIC, created inside the network's namespace and enslaved to its bridge, so QEMU
// (started in that namespace) opens it by name.
import { names } from "../constants";
import { run } from "../util/exec";
import type { ResolvedNetwork } from "../net/spec";

/** Creates the TAP in `n`'s namespace if missing; `attach` enslaves it to `n`'s bridge and sets it up. */
export async function ensureTap(
  n: ResolvedNetwork,
  tap: string,
  opts: { attach: boolean } = { attach: true },
): Promise<void> {
  const ns = names.netns(n.id);
  const exists = (await run("ip", ["-n", ns, "link", "show", "dev", tap], { reject: false })).exitCode === 0;
  const lines = [
    ...(exists ? [] : [`tuntap add dev ${tap} mode tap`]),
    `link set ${tap} mtu ${n.mtu}`,
    ...(opts.attach ? [`link set ${tap} master ${names.bridge(n.id)}`, `link set ${tap} up`] : []),
  ];
  await run("ip", ["-n", ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
}

export async function deleteTap(netId: string, tap: string): Promise<void> {
  await run("ip", ["-n", names.netns(netId), "link", "delete", "dev", tap], { reject: false });
}

/** Moves a TAP (already opened by QEMU in `from`'s namespace) into `to`'s namespace. */
export async function moveTap(from: ResolvedNetwork, to: ResolvedNetwork, tap: string): Promise<void> {
  await run("ip", ["-n", names.netns(from.id), "link", "set", "dev", tap, "netns", names.netns(to.id)]);
}
