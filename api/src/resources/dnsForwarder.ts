// qemu:index:DnsForwarder — a DNS forwarder on a network's gateway that answers the network's zone
// (every instance by name, plus records) and forwards the rest.
import { int, list, objectType, type ResourceDecl, STRING, str } from "./declare";

const absolute = (p: string) => (p.startsWith("/") ? undefined : "must be an absolute path");

export const DnsRecord = objectType(
  "qemu:index:DnsRecord",
  "A static A record inside the forwarder's zone.",
  {
    name: str("Name, relative to the zone or fully qualified inside it.", { required: true }),
    addresses: list(STRING, "IPv4 addresses.", { required: true }),
  },
);

export const DnsForwarder = {
  token: "qemu:index:DnsForwarder",
  doc: "A DNS forwarder on a network's gateway (UDP and TCP port 53, answering only that network). It answers `zone` itself: every instance on the network by host name (A and PTR) plus `records`; the rest goes to the upstreams, queried concurrently (first positive answer wins). Everything but the network changes in place.",
  notFound: "DNS_FORWARDER_NOT_FOUND",
  props: {
    networkId: str("Id of the Network. One forwarder per network. Replaces.", {
      outDoc: "Id of the Network.",
      required: true,
      known: true,
      replace: true,
    }),
    zone: str("Zone answered locally, e.g. dev.internal.", { outDoc: "Zone answered locally." }),
    upstreams: list(
      STRING,
      "Upstream servers, address[:port]. Default: resolvConf when given, else auto (the host's systemd-resolved stub, else /etc/resolv.conf).",
      { outDoc: "Static upstreams as given.", maxItems: 16 },
    ),
    resolvConf: str("A resolv.conf to follow; watched, new upstreams used within a second.", {
      outDoc: "resolv.conf followed.",
      check: absolute,
    }),
    hostsFile: str("A hosts file answered before forwarding (e.g. /etc/hosts); watched.", {
      outDoc: "Hosts file answered.",
      check: absolute,
    }),
    records: list(DnsRecord, "Static A records inside the zone.", { outDoc: "Static records." }),
    address: str("Address the forwarder listens on (the network's gateway).", { output: true, known: true }),
    port: int("Port (53).", { output: true, known: true }),
    upstreamSource: str("Where the upstreams come from: static, resolvConf <path> or auto.", {
      output: true,
    }),
    upstreamsInEffect: list(STRING, "Upstreams in use now.", { output: true }),
    names: list(STRING, "Fully qualified names answered from instances and records.", {
      output: true,
      known: true,
    }),
  },
  rules: (i) =>
    (i.upstreams as unknown[] | undefined)?.length && i.resolvConf
      ? [{ property: "resolvConf", reason: "give upstreams or resolvConf, not both" }]
      : [],
} satisfies ResourceDecl;
