// The life of an InstanceTemplate: boot the image once with its user-data, wait until ready,
// unplug the NIC, save the device state (RAM is already in the store: a shared file-backed
// memory), freeze the disk layer. A build interrupted anywhere leaves a `building` record whose
// leftovers the next Apply or Delete removes before anything else.
import * as fs from "node:fs/promises";
import type { Violation } from "@pulumi-qemu/api/validate";
import { names, type StatePaths } from "../constants";
import { QvmdError, notFound, stateCorrupt, violationsError } from "../errors";
import type { Images } from "../image/manager";
import { networkSegment, type Sighting } from "../instance/discovery";
import type { LeaseWatch } from "../network/leases";
import type { Networks } from "../network/manager";
import type { ResolvedNetwork } from "../network/spec";
import { renderMetaData, renderUserData } from "../qemu/seed-render";
import type { StateStore, TemplateRecord } from "../state";
import { Mutex } from "../util/lock";
import { buildingRecord, templateLaunch, templateMac } from "./launch";
import type { TemplateHost } from "./host";
import { buildKey, type ResolvedTemplate, resolveTemplate, type TemplateSpec } from "./spec";

type Progress = (message: string) => void;

export interface TemplateStatus {
  template: ResolvedTemplate;
  record: TemplateRecord;
  stateBytes: number;
  memoryBytes: number;
  users: string[];
  serialLog: string;
}

export class Templates {
  private readonly locks = new Map<string, Mutex>();

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly images: Images,
    private readonly networks: Networks,
    private readonly leases: (n: ResolvedNetwork) => LeaseWatch,
    private readonly log: (m: string) => void,
    /** Its host operations (host.ts): the build VM is started and found as an instance's is. */
    private readonly host: TemplateHost,
  ) {}

  private lock(id: string): Mutex {
    let m = this.locks.get(id);
    if (!m) this.locks.set(id, (m = new Mutex()));
    return m;
  }

  /** Instances restored from the template: while there are any, it is neither rebuilt nor deleted. */
  users(id: string): string[] {
    return Object.entries(this.state.instances)
      .filter(([, r]) => r.spec.template_id === id)
      .map(([i]) => i);
  }

  /** `uid`: the caller, recorded as the owner of a new template. */
  apply(spec: TemplateSpec, progress: Progress, uid: number): Promise<TemplateStatus> {
    const id = typeof spec.id === "string" ? spec.id : "";
    return this.lock(id).run(async () => {
      const { template: t, violations } = resolveTemplate(spec);
      if (!t) throw violationsError(violations);
      const v: Violation[] = [];
      if (!this.images.has(t.imageId))
        v.push({ property: "imageId", code: "UNKNOWN_IMAGE", reason: `image ${t.imageId} does not exist` });
      const net = await this.networks.get(t.networkId).catch(() => undefined);
      if (!net)
        v.push({
          property: "networkId",
          code: "UNKNOWN_NETWORK",
          reason: `network ${t.networkId} does not exist`,
        });
      if (v.length > 0) throw violationsError(v);
      const rec = this.state.templates[t.id];
      if (rec?.status === "ready" && buildKey(resolveTemplate(rec.spec).template!) === buildKey(t))
        return this.status(t.id);
      const users = this.users(t.id);
      if (rec && users.length > 0)
        throw new QvmdError(
          "precondition",
          "TEMPLATE_IN_USE",
          `template ${t.id} is used by ${users.join(", ")}`,
          {
            hint: "a changed template is a new one: replace it (its clones are replaced with it)",
          },
        );
      await this.discard(t.id);
      try {
        await this.build(spec, t, net!.network, progress, rec ? rec.uid : uid);
      } catch (e) {
        // Nothing of a failed build is kept; the record goes too (the error says what happened).
        await this.discard(t.id).catch(() => undefined);
        await this.state.update((d) => {
          delete d.templates[t.id];
        });
        throw e;
      }
      return this.status(t.id);
    });
  }

  private async build(
    spec: TemplateSpec,
    t: ResolvedTemplate,
    n: ResolvedNetwork,
    progress: Progress,
    uid: number | undefined,
  ): Promise<void> {
    const image = this.images.get(t.imageId);
    const img = image.image;
    if (img.arch !== "x86_64" || img.firmware === "uefi")
      throw new QvmdError(
        "invalid",
        "BAD_ARCH",
        "templates are built from x86_64 images with BIOS or direct kernel boot",
        {
          property: "imageId",
        },
      );
    let accel: "kvm" | "tcg" = t.accel === "kvm" ? "kvm" : "tcg";
    if (t.accel === "auto") accel = (await this.host.probeAccel(img.arch)).accel;
    const record = buildingRecord(spec, t, image, accel, uid);
    const { boot } = record;
    await this.state.update((d) => {
      d.templates[t.id] = record;
    });
    await this.host.ensureVmDir(this.p.templateDir(t.id));
    const disk = this.p.templateDisk(t.id);
    await this.host.createLayer(disk, { path: image.path, format: image.record.format });
    await this.host.buildSeed(this.p.templateSeed(t.id), {
      metaData: renderMetaData({ instanceId: `tpl-${t.id}`, hostname: t.hostname }),
      userData: renderUserData({
        userData: t.userData || undefined,
        sshAuthorizedKeys: t.sshAuthorizedKeys,
        hostname: t.hostname,
      }),
    });
    const ns = names.netns(n.id);
    const tap = names.templateTap(t.id);
    const mac = templateMac(t.id);
    await this.host.createTap(ns, tap);
    // Its TAP is fenced like an instance's before it joins the bridge (the record says building).
    await this.networks.refreshFence(n.id);
    const launch = templateLaunch(this.p, t, { arch: img.arch, accel, boot, tap, mac });
    const t0 = Date.now();
    const deadline = t0 + t.waitSeconds * 1000;
    progress(`booting the template (${accel}, ${t.cpus} vCPU, ${t.memoryMb} MiB)`);
    // QEMU runs unprivileged: it reads the image and the seed through its group and owns what it
    // writes (the disk layer, the memory file) until the template is frozen.
    await this.host.launchQemu(launch, {
      netns: ns,
      readable: [image.path, image.kernelPath, image.initrdPath, this.p.templateSeed(t.id)].filter(
        (f): f is string => !!f,
      ),
      writable: [disk, this.p.templateMemory(t.id)],
    });
    await this.host.attachTap(ns, tap, names.bridge(n.id), n.mtu);
    const found = new Map<string, Sighting>();
    await this.host.discover(networkSegment(n, this.leases(n)), [mac], deadline, found);
    const ip = found.get(mac)?.ip;
    if (!ip) throw await this.notReady(t, `no address for ${mac}`);
    progress(`address ${ip}`);
    if (t.waitFor === "cloudInit") {
      progress("waiting for cloud-init to finish (user-data)");
      if (!(await this.host.cloudInitFinished(this.p.templateSerial(t.id), deadline)))
        throw await this.notReady(t, "no cloud-init final message on the serial console");
    } else if (t.waitFor === "ssh") {
      progress(`waiting for SSH on ${ip}:22`);
      if (!(await this.host.sshAnswers(ip, deadline)))
        throw await this.notReady(t, `no SSH banner from ${ip}:22`);
    }
    const bootMs = Date.now() - t0;
    progress(`ready after ${(bootMs / 1000).toFixed(1)}s; unplugging the NIC and saving`);
    const t1 = Date.now();
    await this.host.saveAndStop(
      { name: launch.name, qmpSocket: launch.qmpSocket, pidFile: launch.pidFile },
      this.p.templateSaveSocket(t.id),
      this.p.templateState(t.id),
    );
    await this.host.deleteTap(ns, tap);
    // Frozen: clones' disks are backed by it and their memory maps it. Root's from now on; QEMU's
    // group reads the disk layer and the seed, and opens the memory file read-write because QEMU
    // 7.2 opens a memory backend so even for a private (copy-on-write) mapping: one sandbox user
    // for every VM means a compromised QEMU could reach it, as it could other VMs' disks (accepted,
    // docs/security.md). The saved state stays root's: the launcher opens it for a clone.
    await this.host.shareWithQemu([disk, this.p.templateSeed(t.id)], 0o440);
    await this.host.shareWithQemu([this.p.templateMemory(t.id)], 0o660);
    await fs.chmod(this.p.templateState(t.id), 0o400);
    const saveMs = Date.now() - t1;
    await this.state.update((d) => {
      Object.assign(d.templates[t.id]!, { status: "ready", bootMs, saveMs });
    });
    this.log(`template ${t.id}: ready in ${bootMs} ms, saved in ${saveMs} ms`);
  }

  private async notReady(t: ResolvedTemplate, what: string): Promise<QvmdError> {
    const text = await fs.readFile(this.p.templateSerial(t.id), "utf8").catch(() => "");
    const tail = text.replace(/\r/g, "").split("\n").slice(-25).join("\n");
    return new QvmdError(
      "precondition",
      "TEMPLATE_NOT_READY",
      `template ${t.id}: not ready (waitFor ${t.waitFor}): ${what} within ${t.waitSeconds}s; serial log tail:\n${tail}`,
      { property: "waitFor" },
    );
  }

  /** Kills a build VM left by an interrupted build and removes everything of the template. */
  private async discard(id: string): Promise<void> {
    const name = names.templateQemu(id);
    const pid = await this.host.findQemu(name);
    if (pid !== undefined)
      await this.host.stopQemu({ name, qmpSocket: this.p.templateQmp(id), pid }, { graceMs: 0 });
    const rec = this.state.templates[id];
    const nets = new Set<string | undefined>([undefined]);
    if (rec) nets.add(names.netns(rec.spec.network_id));
    for (const ns of nets) await this.host.deleteTap(ns, names.templateTap(id));
    await fs.rm(this.p.templateDir(id), { recursive: true, force: true });
    for (const f of [this.p.templatePid(id), this.p.templateQmp(id), this.p.templateSaveSocket(id)])
      await fs.rm(f, { force: true });
  }

  async status(id: string): Promise<TemplateStatus> {
    const rec = this.state.templates[id];
    if (!rec) throw notFound("TEMPLATE_NOT_FOUND", `template ${id} does not exist`);
    const { template } = resolveTemplate(rec.spec);
    if (!template) throw stateCorrupt("template", id);
    const size = (f: string, blocks: boolean) =>
      fs.stat(f).then(
        (s) => (blocks ? s.blocks * 512 : s.size),
        () => 0,
      );
    return {
      template,
      record: rec,
      stateBytes: await size(this.p.templateState(id), false),
      memoryBytes: await size(this.p.templateMemory(id), true),
      users: this.users(id),
      serialLog: this.p.templateSerial(id),
    };
  }

  delete(id: string): Promise<boolean> {
    return this.lock(id).run(async () => {
      const users = this.users(id);
      if (users.length > 0)
        throw new QvmdError(
          "precondition",
          "TEMPLATE_IN_USE",
          `template ${id} is used by ${users.join(", ")}`,
          {
            hint: "delete its instances first",
          },
        );
      const existed = this.state.templates[id] !== undefined;
      await this.discard(id);
      if (existed)
        await this.state.update((d) => {
          delete d.templates[id];
        });
      await this.images.gc();
      return existed;
    });
  }
}
