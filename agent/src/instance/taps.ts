// The TAP operations of an instance's host (host.ts) that `ip` does: a clone's TAPs made before its
// QEMU, and any instance's moved, joined and deleted. An instance's own TAPs are made and joined
// by its QEMU's launcher (agent/helpers/taplink.py), not here.
import { run } from "../util/exec";
import type { InstanceHost } from "./host";

const nsArgs = (ns?: string) => (ns ? ["-n", ns] : []);

const attachLines = (tap: string, master: string, mtu?: number) => [
  ...(mtu ? [`link set ${tap} mtu ${mtu}`] : []),
  `link set ${tap} master ${master}`,
  `link set ${tap} up`,
];

export const tapOps: Pick<InstanceHost, "createTap" | "moveTap" | "attachTap" | "deleteTap"> = {
  async createTap(ns, tap) {
    // The usual case: the TAP is new. One left by a crash makes the add fail; it is then kept.
    const add = ["tuntap", "add", "dev", tap, "mode", "tap"];
    if ((await run("ip", [...nsArgs(ns), ...add], { reject: false })).exitCode === 0) return;
    const exists =
      (await run("ip", [...nsArgs(ns), "link", "show", "dev", tap], { reject: false })).exitCode === 0;
    if (!exists) await run("ip", [...nsArgs(ns), ...add]); // its error, as it is
  },
  async moveTap(from, to, tap) {
    if (from === to) return;
    // "netns 1" is PID 1's namespace: the root one.
    await run("ip", [...nsArgs(from), "link", "set", "dev", tap, "netns", to ?? "1"]);
  },
  async attachTap(ns, tap, master, mtu) {
    await run("ip", [...nsArgs(ns), "-batch", "-"], {
      input: attachLines(tap, master, mtu).join("\n") + "\n",
    });
  },
  async deleteTap(ns, tap) {
    await run("ip", [...nsArgs(ns), "link", "delete", "dev", tap], { reject: false });
  },
};
