// The QEMU side of templates: unplugging NICs before a save, saving device state into a file of
// qvmd's, restoring it into a clone, plugging the clone's own NICs. QEMU 7.2 has no `file:`
// migration URI and `exec:` runs a shell, so the stream crosses a unix socket in qvmd's run
// directory (mode 0600): the state file's path is never in a QEMU command line or a QMP argument.
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as net from "node:net";
import { pipeline } from "node:stream/promises";
import { QvmdError } from "../errors";
import { QmpCommandError, type QmpClient } from "../qemu/qmp";

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
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const tmp = `${file}.tmp`;
  await fsp.rm(socketPath, { force: true });
  const server = net.createServer();
  // Only the first connection is QEMU's; the socket is root's alone (0600) before QEMU is told of it.
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
    await fsp.chmod(socketPath, 0o600);
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
 * Streams `file` into a QEMU started with `-incoming defer` and waits until the guest runs again.
 * QEMU listens on `socketPath` (in qvmd's run directory) only for this one restore.
 */
export async function restoreState(
  qmp: QmpClient,
  socketPath: string,
  file: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await fsp.rm(socketPath, { force: true });
  await ignoreShared(qmp);
  await qmp.execute("migrate-incoming", { uri: `unix:${socketPath}` });
  try {
    const sock = net.connect(socketPath);
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", resolve);
      sock.once("error", reject);
    });
    await pipeline(fs.createReadStream(file), sock);
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
  } finally {
    await fsp.rm(socketPath, { force: true });
  }
}
