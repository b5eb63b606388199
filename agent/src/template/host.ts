// The host operations of an InstanceTemplate, as an interface the manager is given (so a build runs
// in unit tests against a fake host), and the real thing: a build VM is started, found and stopped
// as an instance's is (instance/host.ts), plus the template's disk layer and its save over QMP
// (qemu/migrate.ts: NIC unplugged, device state streamed into a file of qvmd's).
import type { InstanceHost } from "../instance/host";
import { QmpClient } from "../qemu/qmp";
import { run } from "../util/exec";
import { saveState, unplugNics } from "../qemu/migrate";

export interface TemplateHost extends Pick<
  InstanceHost,
  | "ensureVmDir"
  | "findQemu"
  | "launchQemu"
  | "stopQemu"
  | "probeAccel"
  | "buildSeed"
  | "createTap"
  | "attachTap"
  | "deleteTap"
  | "discover"
  | "cloudInitFinished"
  | "sshAnswers"
  | "shareWithQemu"
> {
  /** The template's disk layer: a qcow2 over the image's blob, of the image's own size. */
  createLayer(disk: string, backing: { path: string; format: string }): Promise<void>;
  /**
   * Saves the build VM: its NIC unplugged, its device state streamed into `stateFile` through
   * `saveSocket` (its RAM is in the memory file already), then its QEMU stopped.
   */
  saveAndStop(
    vm: { name: string; qmpSocket: string; pidFile: string },
    saveSocket: string,
    stateFile: string,
  ): Promise<void>;
}

export function linuxTemplateHost(vm: InstanceHost): TemplateHost {
  const op = <K extends keyof InstanceHost>(k: K): InstanceHost[K] =>
    (vm[k] as (...a: unknown[]) => unknown).bind(vm) as InstanceHost[K];
  return {
    ensureVmDir: op("ensureVmDir"),
    findQemu: op("findQemu"),
    launchQemu: op("launchQemu"),
    stopQemu: op("stopQemu"),
    probeAccel: op("probeAccel"),
    buildSeed: op("buildSeed"),
    createTap: op("createTap"),
    attachTap: op("attachTap"),
    deleteTap: op("deleteTap"),
    discover: op("discover"),
    cloudInitFinished: op("cloudInitFinished"),
    sshAnswers: op("sshAnswers"),
    shareWithQemu: op("shareWithQemu"),
    async createLayer(disk, backing) {
      await run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", backing.format, "-b", backing.path, disk]);
    },
    async saveAndStop(t, saveSocket, stateFile) {
      const qmp = await QmpClient.connect(t.qmpSocket, { timeoutMs: 5000 });
      try {
        await unplugNics(qmp, 1, 30000);
        await saveState(qmp, saveSocket, stateFile, 120000, vm.qemuGid());
        const pid = (await vm.findQemu(t.name)) ?? 0;
        await vm.stopQemu({ ...t, pid }, { graceMs: 0, qmp });
      } finally {
        qmp.close();
      }
    },
  };
}
