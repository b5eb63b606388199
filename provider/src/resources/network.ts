// qemu:index:Network — an isolated network (namespace + bridge + NAT + DHCP) owned by qvmd.
import { z } from "zod";
import { newId, readOrGone, zodFailures } from "./common";
import type { Network, NetworkSpec } from "@pulumi-qemu/api";
import { formatIp, parseCidr } from "@pulumi-qemu/api/validate";
import { containsUnknown, UNKNOWN, type Props } from "../props";
import type { CheckFailure, Ctx, ResourceHandler } from "./types";

const IFNAMSIZ = 15;

const inputsShape = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]+$/, "must contain only a-z and 0-9")
      .refine((n) => `qvm${n}h`.length <= IFNAMSIZ, {
        message: `is too long: interface names derived from it ("qvm<name>h") must fit Linux's ${IFNAMSIZ} characters, so use at most 8 characters`,
      })
      .optional(),
    cidr: z.string({
      error: (iss) =>
        iss.input === undefined
          ? "is required (e.g. 192.168.71.0/24)"
          : "must be a string like 192.168.71.0/24",
    }),
    gateway: z.string().optional(),
    dhcp: z
      .object({
        enabled: z.boolean().default(true),
        range: z.object({ start: z.string(), end: z.string() }).strict().optional(),
        leaseTime: z.number().int().positive().optional(),
        reservations: z
          .array(z.object({ mac: z.string(), ip: z.string(), hostname: z.string().optional() }).strict())
          .default([]),
      })
      .strict()
      .default({ enabled: true, reservations: [] }),
    nat: z.boolean().default(true),
    isolated: z.boolean().default(false),
    mtu: z.number().int().default(1500),
  })
  .strict();
type Inputs = z.infer<typeof inputsShape>;

// Agent violations use spec field names; the user knows `name`, not `id`.
const toProperty = (p: string) => (p === "id" ? "name" : p);

function toSpec(id: string, i: Inputs, owner: string): NetworkSpec {
  return {
    id,
    cidr: i.cidr,
    gateway: i.gateway ?? "",
    dhcp: {
      enabled: i.dhcp.enabled,
      range_start: i.dhcp.range?.start ?? "",
      range_end: i.dhcp.range?.end ?? "",
      lease_time_seconds: i.dhcp.leaseTime ?? 0,
      reservations: i.dhcp.reservations.map((r) => ({ mac: r.mac, ip: r.ip, hostname: r.hostname ?? "" })),
    },
    nat: i.nat,
    isolated: i.isolated,
    mtu: i.mtu,
    owner,
  };
}

function outputs(inputs: Props, n: Network): Props {
  return {
    ...inputs,
    name: n.spec!.id,
    namespace: n.namespace,
    bridge: n.bridge,
    hostInterface: n.host_interface,
    gateway: n.spec!.gateway,
    dhcpServerAddress: n.dhcp_server_address,
    dhcpRange: { start: n.dhcp_range_start, end: n.dhcp_range_end },
    leaseTime: n.spec!.dhcp?.lease_time_seconds ?? 0,
    drift: n.drift,
    firewall: {
      state: n.firewall_state,
      ...(n.firewall_last_error ? { lastError: n.firewall_last_error } : {}),
      ...(n.firewall_last_repaired_at ? { lastRepairedAt: n.firewall_last_repaired_at } : {}),
    },
  };
}

/**
 * Inputs reconstructed from the agent, for import (`import: "<name>"` resource option). Defaults
 * are left out, as a program would leave them out, so that a program declaring the same network
 * imports without a diff.
 */
function inputsFromAgent(n: Network): Props {
  const s = n.spec!;
  const cidr = parseCidr(s.cidr);
  const defaultGateway = typeof cidr !== "string" && formatIp(cidr.network + 1) === s.gateway;
  return {
    name: s.id,
    cidr: s.cidr,
    ...(defaultGateway ? {} : { gateway: s.gateway }),
    dhcp: {
      enabled: s.dhcp?.enabled ?? false,
      reservations: (s.dhcp?.reservations ?? []).map((r) => ({
        mac: r.mac,
        ip: r.ip,
        ...(r.hostname ? { hostname: r.hostname } : {}),
      })),
    },
    nat: s.nat,
    isolated: s.isolated,
    mtu: s.mtu,
  };
}

const parse = (inputs: Props) => inputsShape.parse(inputs);

export const network: ResourceHandler = {
  replaceOn: ["name", "cidr", "gateway"],

  async check(ctx: Ctx, news: Props) {
    if (containsUnknown(news)) return { inputs: news, failures: [] }; // validated again at create
    const parsed = inputsShape.safeParse(news);
    if (!parsed.success) {
      const failures: CheckFailure[] = zodFailures(parsed.error);
      return { inputs: news, failures };
    }
    const inputs = parsed.data;
    const agent = await ctx.agent();
    const { violations } = await agent.checkNetwork(toSpec(inputs.name ?? "check", inputs, ctx.urn));
    const failures = violations.map((v) => ({ property: toProperty(v.property), reason: v.reason }));
    return { inputs: inputs as Props, failures };
  },

  preview(inputs: Props) {
    const i = inputs as Partial<Inputs>;
    const known = (v: unknown) => (v === undefined ? UNKNOWN : v);
    return {
      ...inputs,
      name: known(i.name),
      namespace: UNKNOWN,
      bridge: UNKNOWN,
      hostInterface: UNKNOWN,
      gateway: known(i.gateway),
      dhcpServerAddress: UNKNOWN,
      dhcpRange: UNKNOWN,
      leaseTime: UNKNOWN,
      drift: UNKNOWN,
      firewall: UNKNOWN,
    };
  },

  async create(ctx, inputs) {
    const i = parse(inputs);
    const id = i.name ?? newId();
    const n = await (await ctx.agent()).applyNetwork(toSpec(id, i, ctx.urn));
    return { id, outputs: outputs(inputs, n) };
  },

  read: (ctx, id, oldInputs) =>
    readOrGone("NET_NOT_FOUND", async () => {
      const n = await (await ctx.agent()).getNetwork(id);
      const inputs = oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : inputsFromAgent(n);
      return { inputs, outputs: outputs(inputs, n) };
    }),

  async update(ctx, id, _olds, news) {
    const n = await (await ctx.agent()).applyNetwork(toSpec(id, parse(news), ctx.urn));
    return outputs(news, n);
  },

  async delete(ctx, id) {
    await (await ctx.agent()).deleteNetwork(id);
  },
};
