// A DNS forwarder on the wire: the shape of its requests, and a forwarder as the API reports it.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { parseRequest } from "../errors";
import type { DnsForwarderStatus } from "./manager";
import { type DnsForwarderSpec, dnsForwarderSpecShape } from "./spec";

const specRequest = z.object({ spec: dnsForwarderSpecShape });

/** ApplyDnsForwarder: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): DnsForwarderSpec => parseRequest(specRequest, req).spec;

export function dnsForwarderToWire(s: DnsForwarderStatus): wire.DnsForwarder {
  return {
    spec: s.spec,
    address: s.address,
    port: s.port,
    upstream_source: s.upstreamSource,
    upstreams_in_effect: s.upstreams,
    names: s.names,
  };
}
