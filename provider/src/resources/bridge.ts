// qemu:index:Bridge — a host bridge (root namespace) for VMs on the LAN, optionally enslaving an
// uplink NIC whose addresses move to the bridge and back on destroy. Adopted bridges are never
// deleted.
import { z } from "zod";
import { type Bridge } from "@pulumi-qemu/api";
import { UNKNOWN, type Props } from "../props";
import { lifecycle, shapeCheck } from "./common";
import type { Ctx, ResourceHandler } from "./types";

const inputsShape = z
  .object({
    name: z.string().max(15, "is longer than Linux's 15-character interface names"),
    address: z.string().optional(),
    uplink: z.string().optional(),
    stp: z.boolean().default(false),
    mtu: z.number().int().optional(),
    adopt: z.boolean().default(false),
  })
  .strict();

function outputs(inputs: Props, b: Bridge): Props {
  return { ...inputs, addresses: b.addresses, movedAddresses: b.moved_addresses, drift: b.drift };
}

async function apply(ctx: Ctx, id: string, inputs: Props): Promise<Props> {
  const i = inputsShape.parse(inputs);
  const b = await (
    await ctx.agent()
  ).applyBridge({
    id,
    name: i.name,
    address: i.address ?? "",
    uplink: i.uplink ?? "",
    stp: i.stp,
    mtu: i.mtu ?? 0,
    adopt: i.adopt,
    owner: ctx.urn,
  });
  return outputs(inputs, b);
}

export const bridge: ResourceHandler = {
  replaceOn: ["name", "adopt"],

  check: shapeCheck(inputsShape),

  preview: (inputs) => ({ ...inputs, addresses: UNKNOWN, movedAddresses: UNKNOWN, drift: UNKNOWN }),

  ...lifecycle({
    notFound: "BRIDGE_NOT_FOUND",
    apply,
    get: (agent, id) => agent.getBridge(id),
    outputs,
    importInputs: (b) => ({ name: b.spec!.name, adopt: b.spec!.adopt }),
    remove: (agent, id) => agent.deleteBridge(id),
  }),
};
