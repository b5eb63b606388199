// qemu:index:Instance: inputs -> InstanceSpec -> outputs. Declared in api/src/resources/instance.ts.
import { createHash } from "node:crypto";
import { type Instance, type InstanceSpec, resources } from "@pulumi-qemu/api";
import type { Props } from "../props";
import { defineResource } from "./define";
import type { Ctx } from "./types";

type Inputs = resources.InputsOf<typeof resources.Instance.props>;

/** A MAC derived from the resource's URN and NIC index: stable across updates, QEMU's OUI. */
export function derivedMac(urn: string, index: number): string {
  const h = createHash("sha256").update(`${urn}#${index}`).digest();
  return ["52", "54", "00", ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

function toSpec(ctx: Ctx, id: string, i: Inputs, waitSeconds: number): InstanceSpec {
  return {
    id,
    image_id: i.imageId ?? "",
    template_id: i.templateId ?? "",
    cpus: i.cpus,
    memory_mb: i.memoryMb,
    disk_gb: i.diskGb,
    nics: i.networks.map((n) => ({
      network_id: n.networkId ?? "",
      bridge_id: n.bridgeId ?? "",
      mac: n.mac!,
      ip: n.ip ?? "",
    })),
    hostname: i.hostname ?? "",
    user_data: i.userData ?? "",
    meta_data: i.metaData ?? "",
    network_config: i.networkConfig ?? "",
    ssh_authorized_keys: i.sshAuthorizedKeys,
    running: i.running,
    accel: i.accel,
    machine: i.machine ?? "",
    wait_for_ip_seconds: i.waitForIp && i.running ? waitSeconds : 0,
    wait_for: i.waitFor,
    owner: ctx.urn,
    port_forwards: i.portForwards.map((f) => ({
      host_port: f.hostPort,
      guest_port: f.guestPort,
      protocol: f.protocol,
      host_address: f.hostAddress ?? "",
    })),
  };
}

export const instance = defineResource<Inputs, Instance>({
  decl: resources.Instance,
  apply: async (ctx, id, i) =>
    (await ctx.agent()).applyInstance(
      toSpec(ctx, id, i, i.waitForIpTimeoutSeconds),
      (p) => ctx.progress(p.message),
      ctx.timeoutMs,
    ),
  get: (agent, id) => agent.getInstance(id),
  remove: (agent, id) => agent.deleteInstance(id),
  // A VM that never got an address is still a VM: remove it rather than leak it.
  removeOnFailedCreate: true,

  // MACs are derived before anything else, even in preview, so that they are stable.
  prepare(ctx, inputs) {
    if (!Array.isArray(inputs.networks)) return inputs;
    const nics = inputs.networks as Props[];
    const withMac = (n: Props, k: number) =>
      typeof n === "object" && n !== null && !n.mac ? { ...n, mac: derivedMac(ctx.urn, k) } : n;
    return { ...inputs, networks: nics.map(withMac) };
  },

  // What only qvmd knows: ports other instances forward or host processes listen on, MACs in use.
  // Unreachable here means "checked again at create", not "valid".
  async verify(ctx, i, olds) {
    const failures: { property: string; reason: string }[] = [];
    const agent = await ctx.agent().catch(() => undefined);
    if (agent) {
      const { violations } = await agent.checkInstance(toSpec(ctx, "check", i, 0));
      failures.push(
        ...violations
          .filter((v) => !["UNKNOWN_IMAGE", "UNKNOWN_NETWORK", "UNKNOWN_TEMPLATE"].includes(v.code))
          .map((v) => ({ property: v.property, reason: v.reason })),
      );
    }
    const oldDisk = typeof olds.diskGb === "number" ? olds.diskGb : 0;
    if (i.diskGb !== 0 && oldDisk > i.diskGb)
      failures.push({
        property: "diskGb",
        reason: `cannot shrink the disk from ${oldDisk} to ${i.diskGb} GiB; disks only grow`,
      });
    return failures;
  },

  outputs: (v) => ({
    // A clone's image, processors and memory are its template's: qvmd reports what runs.
    ...(v.spec?.template_id
      ? { imageId: v.spec.image_id, cpus: v.spec.cpus, memoryMb: v.spec.memory_mb }
      : {}),
    ipAddresses: v.nics.map((n) => n.ip),
    macs: v.nics.map((n) => n.mac),
    state: v.state,
    pid: v.pid,
    serialLog: v.serial_log,
    diskGbInEffect: v.disk_gb,
  }),
  importInputs: (v) =>
    v.spec!.template_id ? { templateId: v.spec!.template_id } : { imageId: v.spec!.image_id },
  // Power-state drift: a VM stopped behind Pulumi's back reads as running: false, so the next `up`
  // starts it again (like Docker's must_run).
  observe: (inputs, v) => ({ ...inputs, running: v.state === "running" }),
});
