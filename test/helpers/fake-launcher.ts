// The fake host's QEMU launchers started ahead of their QEMU (InstanceHost.startLauncher): each is
// waiting until its launch lets it go, or aborted when the apply ends without that.
import type { EarlyLauncher } from "../../agent/src/qemu/process";

/** By launch name: what became of the launcher started for it. */
export type Launchers = Map<string, "waiting" | "went" | "aborted">;

export function fakeLauncher(launchers: Launchers, name: string): EarlyLauncher {
  launchers.set(name, "waiting");
  const leave = (to: "went" | "aborted") => {
    if (launchers.get(name) === "waiting") launchers.set(name, to);
  };
  return {
    go: async () => (leave("went"), { stdout: "", stderr: "", exitCode: 0 }),
    abort: () => leave("aborted"),
  };
}
