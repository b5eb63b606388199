// Telling a host reboot from a qvmd restart. After a reboot nothing of ours is in the kernel and
// every VM is down; after a qvmd restart the VMs run on and are adopted. The run directory is a
// tmpfs (systemd's RuntimeDirectory, /run): a marker there holding the kernel's boot id is gone, or
// names another boot, exactly when the host has booted since qvmd last started what should run.
import * as fs from "node:fs/promises";
import { BOOT_ID_FILE } from "./constants";

const bootId = async () => (await fs.readFile(BOOT_ID_FILE, "utf8").catch(() => "")).trim();

/** Whether the host booted since `markStarted` last ran (true on a first start ever too). */
export async function bootedSinceMarked(marker: string): Promise<boolean> {
  const seen = (await fs.readFile(marker, "utf8").catch(() => "")).trim();
  return seen === "" || seen !== (await bootId());
}

/** Records that what should run after this boot has been started. */
export async function markStarted(marker: string): Promise<void> {
  await fs.writeFile(marker, `${await bootId()}\n`, { mode: 0o644 });
}
