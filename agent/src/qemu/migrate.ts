// Saving and restoring a VM's device state over QMP, and the NIC hot-plugs around them: the QEMU side
// of templates (a save, by template/host.ts) and their clones (a restore, by instance/host.ts).
// QEMU 7.2 has no `file:` migration URI and `exec:` runs a shell (which QEMU's seccomp filter forbids
// anyway). A save crosses a unix socket in qvmd's run directory that only root and QEMU's group may
// connect to; a restore reads a descriptor the launcher opened (argv.ts restoreUri). QEMU never opens
// the state file by its path.
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as net from "node:net";
import { pipeline } from "node:stream/promises";
import { QvmdError } from "../errors";
import { QmpClient, QmpCommandError } from "./qmp";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** x-ignore-shared: RAM in a shared file-backed region (the template's memory file) is not sent. */
const ignoreShared = (qmp: QmpClient) =>
  qmp.execute("migrate-set-capabilities", {
    capabilities: [{ capability: "x-ignore-shared", state: true }],
  });

async function migrationDone(qmp: QmpClient, deadline: number, what: string): Promise<void> {
  for (;;) {
    const m = await qmp.execute<{ status?: string; "error-desc"?: string }>("query-migrate");
    if (m.status === "completed") return;
    if (m.status === "failed" || m.status === "cancelled")
      throw new QvmdError(
        "internal",
        "TEMPLATE_SAVE_FAILED",
        `${what}: migration ${m.status}: ${m["error-desc"] ?? ""}`,
      );
    if (Date.now() > deadline)
      throw new QvmdError("internal", "TEMPLATE_SAVE_FAILED", `${what}: timed out (${m.status})`);
    await sleep(5);
  }
}

/** Unplugs `nic0..nic<count-1>` and waits until the guest has let go of each (ACPI/PCIe hotplug). */
export async function unplugNics(qmp: QmpClient, count: number, timeoutMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = `nic${i}`;
    const gone = qmp.waitEvent("DEVICE_DELETED", timeoutMs, (e) => e.data.device === id);
    await qmp.execute("device_del", { id });
    await gone;
  }
}

/** Plugs the clone's NICs on the template's root ports; a NIC already there (a retry) is kept. */
export async function plugNics(qmp: QmpClient, macs: string[]): Promise<void> {
  for (const [i, mac] of macs.entries()) {
    const args = {
      driver: "virtio-net-pci",
      netdev: `net${i}`,
      mac,
      bus: `rp${i}`,
      id: `nic${i}`,
      romfile: "",
    };
    await qmp.execute("device_add", args).catch((e: unknown) => {
      if (!(e instanceof QmpCommandError && /Duplicate (device )?ID/i.test(e.desc))) throw e;
    });
  }
}

/**
 * Saves the (stopped) VM's device state into `file`, atomically: written to `file.tmp`, fsynced,
 * renamed. Returns its size. The VM stays paused; the caller quits it.
 */
export async function saveState(
  qmp: QmpClient,
  socketPath: string,
  file: string,
  timeoutMs: number,
  /** QEMU's group (it runs unprivileged): the one that may connect besides root. */
  qemuGid: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const tmp = `${file}.tmp`;
  await fsp.rm(socketPath, { force: true });
  const server = net.createServer();
  // Only the first connection is QEMU's; the socket is root's and QEMU's group's (0660) before QEMU
  // is told of it, in a directory only root writes to.
  const received = new Promise<void>((resolve, reject) => {
    server.once("connection", (c) => {
      server.close();
      pipeline(c, fs.createWriteStream(tmp, { mode: 0o600 })).then(resolve, reject);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  try {
    await fsp.lchown(socketPath, 0, qemuGid);
    await fsp.chmod(socketPath, 0o660);
    await ignoreShared(qmp);
    await qmp.execute("stop");
    await qmp.execute("migrate", { uri: `unix:${socketPath}` });
    await migrationDone(qmp, deadline, "saving the template");
    await Promise.race([
      received,
      sleep(Math.max(0, deadline - Date.now())).then(() => {
        throw new QvmdError(
          "internal",
          "TEMPLATE_SAVE_FAILED",
          "saving the template: the stream did not end",
        );
      }),
    ]);
    const fh = await fsp.open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    return (await fsp.stat(file)).size;
  } finally {
    server.close();
    await fsp.rm(socketPath, { force: true });
    await fsp.rm(tmp, { force: true });
  }
}

/**
 * Restores a QEMU started with `-incoming defer` from `uri` (the saved state's descriptor,
 * restoreUri) and waits until the guest runs again.
 */
export async function restoreState(qmp: QmpClient, uri: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await ignoreShared(qmp);
  await qmp.execute("migrate-incoming", { uri });
  for (;;) {
    const m = await qmp.execute<{ status?: string }>("query-migrate");
    if (m.status === "completed") break;
    if (m.status === "failed")
      throw new QvmdError("internal", "RESTORE_FAILED", "restoring the template's state failed");
    if (Date.now() > deadline)
      throw new QvmdError("internal", "RESTORE_FAILED", `restore timed out (${m.status ?? "?"})`);
    await sleep(2);
  }
  const st = await qmp.queryStatus();
  if (!st.running) await qmp.execute("cont");
}

/**
 * A clone's QEMU, started with `-incoming defer`: its device state restored from `uri`, then its own
 * NICs plugged. Returns how long each took (the clone's profile).
 */
export async function restoreClone(
  qmpSocket: string,
  uri: string,
  macs: string[],
  timeoutMs: number,
): Promise<{ stateMs: number; plugMs: number }> {
  const qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 5000 });
  try {
    const t0 = Date.now();
    await restoreState(qmp, uri, timeoutMs);
    const t1 = Date.now();
    await plugNics(qmp, macs);
    return { stateMs: t1 - t0, plugMs: Date.now() - t1 };
  } finally {
    qmp.close();
  }
}

/** A clone's QEMU that runs its guest (not still waiting for, or in, its restore), NICs in. */
export async function cloneRunsGuest(qmpSocket: string, macs: string[]): Promise<boolean> {
  const qmp = await QmpClient.connect(qmpSocket, { timeoutMs: 3000 }).catch(() => undefined);
  if (!qmp) return false;
  try {
    if (!(await qmp.queryStatus()).running) return false;
    // Plugging is idempotent: a crash between the restore and the plug is finished here.
    await plugNics(qmp, macs);
    return true;
  } catch {
    return false;
  } finally {
    qmp.close();
  }
}
