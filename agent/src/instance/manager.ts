// The life of an instance (a clone of a template too): Apply is admission (what it must refuse, the
// facts, the record, written first: admission.ts), then the plan's steps (plan.ts: which, in which
// order, what undoes a failed start, decided as data), each run here as one call of its host
// operations (host.ts) or of a neighbour (the network's DHCP hosts, the fences, the addresses'
// waits: addresses.ts); then the status read back. Delete finds everything by name.
import * as fs from "node:fs/promises";
import type { Violation } from "@pulumi-qemu/api/validate";
import { names, type StatePaths } from "../constants";
import { notFound, stateCorrupt, violationsError } from "../errors";
import type { Bridges } from "../bridge/manager";
import type { Config } from "../config";
import type { Images } from "../image/manager";
import type { Networks } from "../network/manager";
import type { Topology } from "../policy/topology";
import { qemuBinary } from "../qemu/argv";
import type { StateStore } from "../state";
import { KeyedMutex } from "../util/lock";
import { InstanceAddresses } from "./addresses";
import { GuestFences } from "./fences";
import { Admission } from "./admission";
import type { References } from "./conflicts";
import type { InstanceHost } from "./host";
import type { ApplyPlan, ApplyRun as Ctx, Step } from "./plan";
import { runPlan } from "../util/steps";
import { restoredMessage } from "./clone";
import { abortLaunchers, spawnEarly, startEarly } from "./early";
import { endProbes, sshAtLease } from "./ready";
import { type InstanceSpec, type ResolvedInstance, resolveInstance } from "./spec";
import type { InstanceStatus } from "./wire";

export type Progress = (message: string, done?: number, total?: number) => void;

export type { InstanceStatus } from "./wire";

export class Instances {
  /** One instance's calls run one at a time. */
  private readonly locks = new KeyedMutex();
  private readonly accelInUse = new Map<string, string>();
  /** Also where templates find their build VM's lease. */
  readonly addresses: InstanceAddresses;
  private readonly admission: Admission;
  private readonly fences: GuestFences;
  /** Told whenever an instance's addresses may have changed (the DNS zone follows them). */
  onAddressesChanged: () => void = () => undefined;

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly images: Images,
    private readonly networks: Networks,
    bridges: Bridges,
    private readonly log: (m: string) => void,
    private readonly host: InstanceHost,
    /** The admin's rules for port forwards (config.portForwards). */
    forwardPolicy: Config["portForwards"],
    /** Checks against other resources and the record that follows are one step (finding 14). */
    private readonly topology: Topology,
  ) {
    this.fences = new GuestFences(state, networks, bridges, host, log);
    const leased = (netId: string) => void this.fences.refreshNetwork(netId);
    this.addresses = new InstanceAddresses(p, state, host, log, () => this.onAddressesChanged(), leased);
    const pidOf = (id: string) => this.runningPid(id);
    this.admission = new Admission(p, state, images, networks, bridges, host, forwardPolicy, topology, pidOf);
  }

  /** Violations knowable before creating anything (admission.ts); `uid`: the caller. */
  check(spec: InstanceSpec, uid: number): Promise<Violation[]> {
    return this.admission.check(spec, uid);
  }

  /**
   * `uid`: the caller, owner of a new instance. `wait: false`: no waits (a start after a host boot).
   * `cancelled`: the caller went away; the waits (addresses, readiness) end at once with
   * CALL_CANCELLED, what was applied before them stays.
   */
  apply(
    spec: InstanceSpec,
    progress: Progress,
    uid: number,
    opts: { wait?: boolean; cancelled?: AbortSignal } = {},
  ): Promise<InstanceStatus> {
    return this.locks.run(spec.id, async () => {
      const { instance: inst, violations } = resolveInstance(spec);
      if (!inst) throw violationsError(violations);
      // From the check to the record, no image, network or bridge it uses can go (finding 14).
      let refs: References, plan: ApplyPlan;
      const run = { waitFrom: 0, wait: opts.wait !== false, startedAt: 0, launchedAt: 0 };
      const ctx: Ctx = { accel: "tcg", ...run, cancelled: opts.cancelled };
      try {
        if (inst.template_id !== "") {
          refs = await this.topology.run(() => this.admission.admitClone(inst, uid));
          plan = await this.admission.recordClone(spec, inst, refs, uid);
        } else {
          const planned = (p: ApplyPlan) => (ctx.spawned = spawnEarly(p, this.host));
          ({ refs, plan } = await this.topology.run(() => this.admission.admit(spec, inst, uid, planned)));
          await this.host.ensureVmDir(this.p.instanceDir(inst.id));
        }
        // The plan's steps on the host, in order; a failed start is rolled back, then reported.
        await runPlan(
          plan,
          (step) => this.execute(inst, step, refs, progress, ctx),
          (undo, x) => this.log(`instance ${inst.id}: rollback ${undo.op}: ${String(x)}`),
        );
      } finally {
        abortLaunchers(ctx);
        await endProbes(ctx);
      }
      return this.status(inst.id);
    });
  }

  /** One step on the host (a `together` step is runPlan's). */
  private async execute(inst: ResolvedInstance, s: Step, refs: References, progress: Progress, ctx: Ctx) {
    const h = this.host;
    switch (s.op) {
      case "refreshDhcp":
        return this.fences.refreshDhcp(s.networkId);
      case "refreshHostFence":
        return this.fences.refreshHost();
      case "createOverlay":
        return h.createOverlay(s.disk, s.backing, s.sizeGb);
      case "resizeRunning":
        return h.resizeRunning(s.qmpSocket, s.device, s.bytes);
      case "resizeOverlay":
        return h.resizeOverlay(s.disk, s.sizeGb);
      case "buildSeed":
        return h.buildSeed(s.file, s.files);
      case "stop":
        progress(s.message);
        return h.stopQemu({ name: s.name, qmpSocket: s.qmpSocket, pid: s.pid }, { graceMs: s.graceMs });
      case "probeAccel": {
        const probe = await (ctx.probe = h.probeAccel(s.arch));
        ctx.accel = probe.accel;
        progress(`accelerator: ${probe.accel} (${probe.reason})`);
        return;
      }
      case "createTap":
        return h.createTap(s.ns, s.tap);
      case "prepareUefiVars":
        return h.prepareUefiVars(s.arch, s.file);
      case "ensureVmDir":
        ctx.startedAt = Date.now();
        return h.ensureVmDir(s.dir);
      case "launch": {
        const l = { ...s.launch, accel: s.accel ?? ctx.accel };
        this.accelInUse.set(inst.id, l.accel);
        // A clone's QEMU restores rather than boots ("restored from template" says how long).
        if (!l.incoming)
          progress(`starting ${qemuBinary(l.arch)} (${l.accel}, ${l.cpus} vCPU, ${l.memoryMb} MiB)`);
        ctx.launchedAt = Date.now();
        const { netns, readable, writable } = s;
        return h.launchQemu(l, { netns, readable, writable, early: ctx.early });
      }
      case "restore": {
        const r = await h.restoreClone(s.qmpSocket, s.uri, s.macs);
        const [total, launch] = [Date.now() - ctx.startedAt, ctx.launchedAt - ctx.startedAt];
        return progress(restoredMessage(s.templateId, { total, launch, state: r.stateMs, plug: r.plugMs }));
      }
      case "startLauncher":
        ctx.accel = s.accel ?? (await (ctx.probe ?? h.probeAccel(s.launch.arch))).accel;
        return startEarly(h, s, ctx);
      case "moveTap":
        return h.moveTap(s.from, s.to, s.tap);
      case "attachTap":
        return h.attachTap(s.ns, s.tap, s.master, s.mtu);
      case "launched": {
        if (inst.template_id === "") progress("booting"); // a clone is restored, not booted
        // A first start recorded its launch key with the spec already: nothing to write again.
        const r = this.state.instances[inst.id];
        if (r && r.launchKey === s.launchKey && Object.keys(r.addresses).length === 0) return;
        return this.state.update((d) => {
          d.instances[inst.id]!.launchKey = s.launchKey;
          d.instances[inst.id]!.addresses = {};
        });
      }
      case "stopStarted": {
        // Any QEMU of this name now was started by this Apply (none ran, or it was stopped).
        const pid = await h.findQemu(s.name);
        if (pid) await h.stopQemu({ name: s.name, qmpSocket: s.qmpSocket, pid }, { graceMs: 0 });
        return;
      }
      case "deleteTap":
        return h.deleteTap(s.ns, s.tap);
      case "awaitReady":
        if (!ctx.wait) return;
        return this.addresses.ready(inst, s, ctx.waitFrom || Date.now(), progress, {
          alive: async () => (await this.runningPid(inst.id)) > 0,
          serialLog: s.serialLog,
          cancelled: ctx.cancelled,
          early: ctx.ssh,
        });
      case "awaitAddresses": {
        if (!ctx.wait) return;
        ctx.waitFrom = Date.now();
        // What was found is what each NIC may use from now on, found or not.
        const nics = () => this.state.instances[inst.id]?.spec.nics ?? [];
        const alive = async () => (await this.runningPid(inst.id)) > 0;
        const ssh = (ip: string, deadline: number, c?: AbortSignal) => this.host.sshAnswers(ip, deadline, c);
        const early =
          inst.wait_for === "ssh" ? sshAtLease(ctx, ssh, ctx.waitFrom + s.seconds * 1000) : undefined;
        return this.addresses
          .wait(inst, refs, s.seconds, progress, alive, ctx.cancelled, early)
          .finally(() => this.fences.refresh(nics()));
      }
      case "publishAddresses":
        return this.addresses.publish();
    }
  }

  /** The pid of the instance's QEMU, 0 when none runs. */
  async runningPid(id: string): Promise<number> {
    return (await this.host.findQemu(names.qemu(id), this.p.instancePid(id))) ?? 0;
  }

  async status(id: string): Promise<InstanceStatus> {
    const rec = this.state.instances[id];
    if (!rec) throw notFound("INSTANCE_NOT_FOUND", `instance ${id} does not exist`);
    const { instance: inst } = resolveInstance(rec.spec);
    if (!inst) throw stateCorrupt("instance", id);
    const pid = await this.runningPid(id);
    // A clone runs its template's guest: its image, processors and memory are the template's.
    const tpl = inst.template_id !== "" ? this.state.templates[inst.template_id] : undefined;
    return {
      instance: tpl
        ? { ...inst, image_id: tpl.imageId, cpus: tpl.machine.cpus, memory_mb: tpl.machine.memoryMb }
        : inst,
      state: pid > 0 ? "running" : "stopped",
      pid,
      nics: await this.addresses.nics(inst, pid, async (netId) => this.networks.resolved(netId)),
      serialLog: this.p.instanceSerial(id),
      accel: this.accelInUse.get(id) ?? "",
      diskGb: rec.diskGb,
    };
  }

  delete(id: string): Promise<boolean> {
    return this.locks.run(id, async () => {
      const rec = this.state.instances[id];
      const pid = await this.runningPid(id);
      // No ACPI powerdown first: the disk goes with the VM, so an orderly shutdown buys nothing
      // (and a guest still booting ignores the button for the whole grace period).
      const target = { name: names.qemu(id), qmpSocket: this.p.instanceQmp(id), pid };
      if (pid > 0) await this.host.stopQemu(target, { graceMs: 0 });
      const nets = new Set((rec?.spec.nics ?? []).map((n) => n.network_id ?? "").filter((n) => n !== ""));
      // A TAP may still be where it was created (a crash before the move): look everywhere.
      const spaces = new Set<string | undefined>([undefined, ...[...nets].map((n) => names.netns(n))]);
      for (const ns of spaces) for (let i = 0; i < 8; i++) await this.host.deleteTap(ns, names.tap(id, i));
      const { p } = this;
      for (const f of [p.instanceDir(id), p.instancePid(id), p.instanceQmp(id), p.instanceRestore(id)])
        await fs.rm(f, { recursive: true, force: true });
      if (rec)
        await this.state.update((d) => {
          delete d.instances[id];
        });
      for (const netId of nets) if (netId) await this.fences.refreshDhcp(netId).catch(() => undefined);
      if ((rec?.spec.nics ?? []).some((n) => n.bridge_id)) await this.fences.refreshHost();
      await this.addresses.deletePortTable(id);
      await this.images.gc();
      await this.addresses.publish();
      return rec !== undefined;
    });
  }

  usersOfBridge(bridgeId: string): string[] {
    return Object.entries(this.state.instances)
      .filter(([, r]) => (r.spec.nics ?? []).some((n) => n.bridge_id === bridgeId))
      .map(([id]) => id);
  }

  hostsOn(networkId: string): { name: string; ip: string }[] {
    return this.addresses.hostsOn(networkId);
  }

  refreshPortForwards(): Promise<void> {
    return this.addresses.refreshPortForwards();
  }

  /** The host bridges' guest fence, re-rendered (another tool flushed the ruleset). */
  refreshHostFence(): Promise<void> {
    return this.fences.refreshHost();
  }

  /** Port-forward tables and the host's guest fence, where they should exist and do not (flushed). */
  async missingPortTables(): Promise<string[]> {
    return [...(await this.fences.missing()), ...(await this.addresses.missingPortTables())];
  }

  /** The instances among `ids`, as GetInstance reports them, by id. */
  async list(only: ReadonlySet<string>): Promise<InstanceStatus[]> {
    const ids = Object.keys(this.state.instances)
      .filter((id) => only.has(id))
      .sort();
    return Promise.all(ids.map((id) => this.status(id)));
  }

  close(): void {
    this.addresses.close();
  }
}
