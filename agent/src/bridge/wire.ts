// A host bridge as the API reports it: the spec, its addresses and drift, as the proto message.
import type { wire } from "@pulumi-qemu/api";
import type { BridgeStatus } from "./manager";

export function bridgeToWire(s: BridgeStatus): wire.Bridge {
  return { spec: s.spec, addresses: s.addresses, moved_addresses: s.moved, drift: s.drift };
}
