// What an instance's Apply must refuse, and the record that follows, as one step: the facts are
// gathered (references to images, networks and bridges, other instances, the host's listeners and
// addresses), conflicts.ts decides, plan.ts plans, and the instance is recorded before anything on
// the host changes. The manager runs admit() inside the topology (finding 14); a clone's checks are
// admitClone() there, its plan and record recordClone() after (as they always were).
import * as fs from "node:fs/promises";
import type { Violation } from "@pulumi-qemu/api/validate";
import type { StatePaths } from "../constants";
import { violationsError } from "../errors";
import type { Bridges } from "../bridge/manager";
import type { Config } from "../config";
import type { Images } from "../image/manager";
import type { Networks } from "../network/manager";
import type { ResolvedNetwork } from "../network/spec";
import type { Topology } from "../policy/topology";
import type { StateStore } from "../state";
import {
  forwardPolicyViolations,
  macViolations,
  portViolations,
  type References,
  referenceViolations,
} from "./conflicts";
import type { HostBridge } from "./discovery";
import type { InstanceHost } from "./host";
import { cloneKey, planClone } from "./clone";
import { imageFacts } from "./launch";
import { type ApplyPlan, planApply } from "./plan";
import {
  type InstanceSpec,
  normalisedSpec,
  type ResolvedForward,
  type ResolvedInstance,
  resolveInstance,
} from "./spec";

export class Admission {
  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly images: Images,
    private readonly networks: Networks,
    private readonly bridges: Bridges,
    private readonly host: InstanceHost,
    /** The admin's rules for port forwards (config.portForwards). */
    private readonly forwardPolicy: Config["portForwards"],
    /** What is being deleted is already absent for a new reference (finding 14). */
    private readonly topology: Topology,
    private readonly runningPid: (id: string) => Promise<number>,
  ) {}

  /** What the instance refers to, as it is now: the facts conflicts.ts decides on. */
  private async references(inst: ResolvedInstance): Promise<References> {
    const networks = new Map<string, ResolvedNetwork>();
    const bridges = new Map<string, HostBridge>();
    // What is being deleted (finding 14) is already absent for a new reference.
    const going = this.topology;
    for (const nic of inst.nics)
      if (nic.bridgeId !== undefined) {
        const b = going.isGoing("bridge", nic.bridgeId)
          ? undefined
          : await this.bridges.describe(nic.bridgeId);
        if (b) bridges.set(nic.bridgeId, b);
      } else {
        // The record says whether it exists; its host objects are the network's own business
        // (drift on its read, the guard), not a reason to slow every instance create down.
        const net = going.isGoing("network", nic.networkId!)
          ? undefined
          : this.networks.resolved(nic.networkId!);
        if (net) networks.set(net.id, net);
      }
    // A clone's image is its template's: the template must be saved instead.
    const imageExists =
      inst.template_id !== "" || (this.images.has(inst.image_id) && !going.isGoing("image", inst.image_id));
    const templateReady = this.state.templates[inst.template_id]?.status === "ready";
    return { imageExists, templateReady, networks, bridges, instances: this.state.instances };
  }

  private readonly listeners = (f: ResolvedForward) => this.host.listeners(f.protocol, f.hostPort);

  /** The admin's rules for forwards (finding 3); the host's addresses are asked only when named. */
  private async forwardRules(inst: ResolvedInstance): Promise<Violation[]> {
    const local = inst.forwards.some((f) => f.hostAddress !== "")
      ? await this.host.localAddresses()
      : new Set<string>();
    return forwardPolicyViolations(inst, this.forwardPolicy.minHostPort, local);
  }

  /**
   * Violations knowable before creating anything; references that do not exist yet are skipped.
   * `uid`: the caller, whose own instances with the same owner text are this one (conflicts.ts).
   */
  async check(spec: InstanceSpec, uid: number): Promise<Violation[]> {
    const { instance: inst, violations } = resolveInstance(spec);
    if (!inst) return violations;
    return [
      ...macViolations(inst, this.state.instances, uid),
      ...(await this.forwardRules(inst)),
      ...(await portViolations(inst, this.state.instances, this.listeners, uid)),
    ];
  }

  /** A clone: the same checks; its plan and record are recordClone's. */
  async admitClone(inst: ResolvedInstance, uid: number): Promise<References> {
    const refs = await this.references(inst);
    const v = [
      ...referenceViolations(inst, refs),
      ...(await this.forwardRules(inst)),
      ...(await portViolations(inst, refs.instances, this.listeners, uid)),
    ];
    if (v.length > 0) throw violationsError(v);
    return refs;
  }

  /** The cross-resource check and the record of the instance, as one step (run in the topology). */
  /** `planned`: told the plan before its record is written (what needs neither may start). */
  async admit(
    spec: InstanceSpec,
    inst: ResolvedInstance,
    uid: number,
    planned?: (plan: ApplyPlan) => void,
  ): Promise<{ refs: References; plan: ApplyPlan }> {
    const refs = await this.references(inst);
    const v = [
      ...referenceViolations(inst, refs),
      ...(await this.forwardRules(inst)),
      ...(await portViolations(inst, refs.instances, this.listeners, uid)),
    ];
    if (v.length > 0) throw violationsError(v);
    const image = this.images.get(inst.image_id);
    const existing = this.state.instances[inst.id];
    const plan = planApply({
      inst,
      image: imageFacts(image),
      networks: refs.networks,
      bridges: refs.bridges,
      existing,
      pid: existing ? await this.runningPid(inst.id) : 0,
      diskExists: await fs.stat(this.p.instanceDisk(inst.id)).then(
        () => true,
        () => false,
      ),
      paths: this.p,
    });
    planned?.(plan);
    await this.record(spec, inst, uid, plan);
    return { refs, plan };
  }

  /** A clone's plan (plan.ts planClone) from what runs now, and its record. */
  async recordClone(
    spec: InstanceSpec,
    inst: ResolvedInstance,
    refs: References,
    uid: number,
  ): Promise<ApplyPlan> {
    const tpl = this.state.templates[inst.template_id]!;
    const existing = this.state.instances[inst.id];
    const pid = await this.runningPid(inst.id);
    const asks = pid > 0 && inst.running && existing?.launchKey === cloneKey(inst, tpl);
    const macs = inst.nics.map((n) => n.mac);
    const runsGuest = asks ? await this.host.cloneRunsGuest(this.p.instanceQmp(inst.id), macs) : undefined;
    const { networks, bridges } = refs;
    const plan = planClone({ inst, tpl, networks, bridges, existing, pid, runsGuest, paths: this.p });
    await this.record(spec, inst, uid, plan);
    return plan;
  }

  /**
   * Record first: whatever happens next, a retry converges and a Delete finds everything. The spec
   * as validated (finding 13): nothing downstream re-reads the raw spelling.
   */
  private async record(spec: InstanceSpec, inst: ResolvedInstance, uid: number, plan: ApplyPlan) {
    const existing = this.state.instances[inst.id];
    await this.state.update((d) => {
      d.instances[inst.id] = {
        spec: normalisedSpec(spec, inst),
        uid: existing ? existing.uid : uid,
        ...plan.record,
        createdAt: existing?.createdAt ?? new Date().toISOString(),
      };
    });
  }
}
