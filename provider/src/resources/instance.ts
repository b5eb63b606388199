// qemu:index:Instance — a QEMU VM whose addresses are known when `pulumi up` returns. cpus,
// memory, disk growth, NICs and `running` change in place (with a restart where QEMU needs one);
// a different image replaces it.
import { createHash } from "node:crypto";
import { z } from "zod";
import { AgentError, type Instance, type InstanceSpec, USER_DATA_MAX_BYTES } from "@pulumi-qemu/api";
import { HOSTNAME_PATTERN, isUnicastMac, normalizeMac } from "@pulumi-qemu/api/validate";
import { containsUnknown, UNKNOWN, type Props } from "../props";
import { newId, readOrGone, zodFailures } from "./common";
import type { Ctx, ResourceHandler } from "./types";

const nicShape = z
  .object({
    networkId: z.string().optional(),
    bridgeId: z.string().optional(),
    mac: z
      .string()
      .transform((m) => m.toLowerCase())
      .refine((m) => normalizeMac(m) === m, "must be a MAC address like 52:54:00:12:34:56")
      .refine((m) => normalizeMac(m) !== m || isUnicastMac(m), "must be a unicast MAC")
      .optional(),
    ip: z.string().optional(),
  })
  .strict();

const inputsShape = z
  .object({
    imageId: z.string(),
    cpus: z.number().int().min(1).max(64).default(1),
    memoryMb: z.number().int().min(64).max(1048576).default(512),
    diskGb: z.number().int().min(0).max(16384).default(0),
    networks: z.array(nicShape).max(8).default([]),
    hostname: z.string().regex(HOSTNAME_PATTERN, "must be a host name (letters, digits, '-')").optional(),
    userData: z
      .string()
      .refine(
        (u) => Buffer.byteLength(u) <= USER_DATA_MAX_BYTES,
        `is larger than the seed's limit of ${USER_DATA_MAX_BYTES} bytes`,
      )
      .optional(),
    metaData: z.string().optional(),
    networkConfig: z.string().optional(),
    sshAuthorizedKeys: z.array(z.string()).default([]),
    running: z.boolean().default(true),
    accel: z.enum(["auto", "kvm", "tcg"]).default("auto"),
    machine: z.string().optional(),
    waitForIp: z.boolean().default(true),
    waitForIpTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
    portForwards: z
      .array(
        z
          .object({
            hostPort: z.number().int().min(1).max(65535),
            guestPort: z.number().int().min(1).max(65535),
            protocol: z.enum(["tcp", "udp"]).default("tcp"),
            hostAddress: z.string().optional(),
          })
          .strict(),
      )
      .max(64)
      .default([]),
  })
  .strict()
  .superRefine((i, ctx) => {
    const seen = new Map<string, number>();
    i.networks.forEach((n, k) => {
      if ((n.networkId === undefined) === (n.bridgeId === undefined))
        ctx.addIssue({
          code: "custom",
          path: ["networks", k],
          message: "give exactly one of networkId and bridgeId",
        });
      if (!n.mac) return;
      if (seen.has(n.mac))
        ctx.addIssue({
          code: "custom",
          path: ["networks", k, "mac"],
          message: `duplicates networks[${seen.get(n.mac)}].mac`,
        });
      seen.set(n.mac, k);
    });
  });
type Inputs = z.infer<typeof inputsShape>;

/** A MAC derived from the resource's URN and NIC index: stable across updates, QEMU's OUI. */
export function derivedMac(urn: string, index: number): string {
  const h = createHash("sha256").update(`${urn}#${index}`).digest();
  return ["52", "54", "00", ...[h[0]!, h[1]!, h[2]!].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

function toSpec(id: string, i: Inputs, owner: string, waitSeconds: number): InstanceSpec {
  return {
    id,
    image_id: i.imageId,
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
    owner,
    port_forwards: i.portForwards.map((f) => ({
      host_port: f.hostPort,
      guest_port: f.guestPort,
      protocol: f.protocol,
      host_address: f.hostAddress ?? "",
    })),
  };
}

function outputs(inputs: Props, v: Instance): Props {
  return {
    ...inputs,
    ipAddresses: v.nics.map((n) => n.ip),
    macs: v.nics.map((n) => n.mac),
    state: v.state,
    pid: v.pid,
    serialLog: v.serial_log,
    diskGbInEffect: v.disk_gb,
  };
}

async function apply(ctx: Ctx, id: string, inputs: Props): Promise<Instance> {
  const i = inputsShape.parse(inputs);
  const agent = await ctx.agent();
  return agent.applyInstance(
    toSpec(id, i, ctx.urn, i.waitForIpTimeoutSeconds),
    (p) => ctx.progress(p.message),
    ctx.timeoutMs,
  );
}

export const instance: ResourceHandler = {
  replaceOn: ["imageId"],

  async check(ctx, news, olds) {
    if (containsUnknown(news)) {
      // Still derive MACs so they are stable; the rest is validated at create.
      const nets = Array.isArray(news.networks) ? (news.networks as Props[]) : undefined;
      if (nets)
        news = { ...news, networks: nets.map((n, k) => (n.mac ? n : { ...n, mac: derivedMac(ctx.urn, k) })) };
      return { inputs: news, failures: [] };
    }
    const parsed = inputsShape.safeParse(news);
    if (!parsed.success)
      return {
        inputs: news,
        failures: zodFailures(parsed.error),
      };
    const i = parsed.data;
    i.networks = i.networks.map((n, k) => ({ ...n, mac: n.mac ?? derivedMac(ctx.urn, k) }));
    const failures: { property: string; reason: string }[] = [];
    // What only qvmd knows: ports other instances forward or host processes listen on, MACs in use.
    // Unreachable here means "checked again at create", not "valid".
    const agent = await ctx.agent().catch(() => undefined);
    if (agent) {
      const { violations } = await agent.checkInstance(toSpec("check", i, ctx.urn, 0));
      failures.push(
        ...violations
          .filter((v) => !["UNKNOWN_IMAGE", "UNKNOWN_NETWORK"].includes(v.code))
          .map((v) => ({ property: v.property, reason: v.reason })),
      );
    }
    const oldDisk = typeof olds.diskGb === "number" ? olds.diskGb : 0;
    if (i.diskGb !== 0 && oldDisk > i.diskGb)
      failures.push({
        property: "diskGb",
        reason: `cannot shrink the disk from ${oldDisk} to ${i.diskGb} GiB; disks only grow`,
      });
    return { inputs: i as Props, failures };
  },

  preview: (inputs) => ({
    ...inputs,
    ipAddresses: UNKNOWN,
    macs: UNKNOWN,
    state: UNKNOWN,
    pid: UNKNOWN,
    serialLog: UNKNOWN,
    diskGbInEffect: UNKNOWN,
  }),

  async create(ctx, inputs) {
    const id = newId();
    try {
      return { id, outputs: outputs(inputs, await apply(ctx, id, inputs)) };
    } catch (e) {
      // A VM that never got an address is still a VM: remove it rather than leak it, unless the
      // outcome is unknown (then the error says so and nothing is deleted blindly).
      if (!(e instanceof AgentError && e.unknownOutcome))
        await (await ctx.agent()).deleteInstance(id).catch(() => undefined);
      throw e;
    }
  },

  read: (ctx, id, oldInputs) =>
    readOrGone("INSTANCE_NOT_FOUND", async () => {
      const v = await (await ctx.agent()).getInstance(id);
      const base = oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : { imageId: v.spec!.image_id };
      // Power-state drift: a VM stopped behind Pulumi's back reads as running: false, so the next
      // `up` starts it again (like Docker's must_run).
      const inputs = { ...base, running: v.state === "running" };
      return { inputs, outputs: outputs(inputs, v) };
    }),

  async update(ctx, id, _olds, news) {
    return outputs(news, await apply(ctx, id, news));
  },

  async delete(ctx, id) {
    await (await ctx.agent()).deleteInstance(id);
  },
};
