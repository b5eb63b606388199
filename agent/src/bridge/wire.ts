// A host bridge on the wire: the shape of its requests, and a bridge as the API reports it.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { parseRequest } from "../errors";
import type { BridgeStatus } from "./manager";
import { type BridgeSpec, bridgeSpecShape } from "./spec";

const specRequest = z.object({ spec: bridgeSpecShape });

/** ApplyBridge: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): BridgeSpec => parseRequest(specRequest, req).spec;

export function bridgeToWire(s: BridgeStatus): wire.Bridge {
  return { spec: s.spec, addresses: s.addresses, moved_addresses: s.moved, drift: s.drift };
}
