// qemu:index:Bridge: inputs -> BridgeSpec -> outputs. Declared in api/src/resources/bridge.ts.
import { type Bridge, resources } from "@pulumi-qemu/api";
import { defineResource } from "./define";

type Inputs = resources.InputsOf<typeof resources.Bridge.props>;

export const bridge = defineResource<Inputs, Bridge>({
  decl: resources.Bridge,
  apply: async (ctx, id, i) =>
    (await ctx.agent()).applyBridge({
      id,
      name: i.name,
      address: i.address ?? "",
      uplink: i.uplink ?? "",
      stp: i.stp,
      mtu: i.mtu ?? 0,
      adopt: i.adopt,
      owner: ctx.urn,
    }),
  get: (agent, id) => agent.getBridge(id),
  remove: (agent, id) => agent.deleteBridge(id),
  outputs: (b) => ({ addresses: b.addresses, movedAddresses: b.moved_addresses, drift: b.drift }),
  importInputs: (b) => ({ name: b.spec!.name, adopt: b.spec!.adopt }),
});
