// Instances across qvmd restarts and host reboots. A restarted qvmd adopts the VMs that run (found
// by name in /proc) and starts nothing: a VM that died while qvmd was away is drift, for the next
// Apply. After a host reboot (boot.ts) every VM is down, and those whose spec says running start.
import type { StateStore } from "../state";
import type { Instances } from "./manager";

/** On start: note which recorded VMs are still running (they are left alone). */
export async function adoptAll(
  instances: Instances,
  state: StateStore,
  log: (m: string) => void,
): Promise<void> {
  for (const id of Object.keys(state.instances)) {
    const pid = await instances.runningPid(id);
    log(`instance ${id}: ${pid > 0 ? `running (pid ${pid}), adopted` : "not running"}`);
  }
  // The networks' guest fences came back with them; the host bridges' one lives in the root namespace.
  await instances.refreshHostFence().catch((e: unknown) => log(`host guest fence: ${(e as Error).message}`));
}

/**
 * After the host booted: starts every instance whose spec says running (its TAPs, seed and QEMU,
 * as Apply would, for its owner), without waiting for addresses. One at a time: TCG boots share
 * the host's cores.
 */
export async function startAfterBoot(
  instances: Instances,
  state: StateStore,
  log: (m: string) => void,
): Promise<void> {
  for (const [id, rec] of Object.entries(state.instances)) {
    if (!rec.spec.running || (await instances.runningPid(id)) > 0) continue;
    log(`instance ${id}: the host booted; starting it`);
    await instances
      .apply(rec.spec, () => undefined, rec.uid ?? 0, { wait: false })
      .then(
        () => log(`instance ${id}: started`),
        (e: unknown) => log(`instance ${id}: start after boot failed: ${String(e)}`),
      );
  }
}
