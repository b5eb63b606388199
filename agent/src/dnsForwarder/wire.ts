// A DNS forwarder as the API reports it: the spec, where it listens and what it serves.
import type { wire } from "@pulumi-qemu/api";
import type { DnsForwarderStatus } from "./manager";

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
