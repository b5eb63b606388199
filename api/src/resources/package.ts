// The Pulumi package: its resources and types in schema order, and the package-level schema fields.
import { VERSION } from "../version";
import { Bridge } from "./bridge";
import { type ObjectType, type ResourceDecl, str } from "./declare";
import { DnsForwarder, DnsRecord } from "./dnsForwarder";
import { Image } from "./image";
import { Instance, InstanceNic, PortForward } from "./instance";
import { DhcpRange, DhcpReservation, FirewallStatus, Network, NetworkDhcp } from "./network";
import { InstanceTemplate } from "./template";

export const RESOURCES: readonly ResourceDecl[] = [
  Network,
  Bridge,
  Image,
  InstanceTemplate,
  Instance,
  DnsForwarder,
];

export const TYPES: readonly ObjectType[] = [
  FirewallStatus,
  DhcpReservation,
  DhcpRange,
  NetworkDhcp,
  InstanceNic,
  PortForward,
  DnsRecord,
];

export const SOCKET_PATH = str("Path of qvmd's unix socket. Default /run/qvmd/qvmd.sock.");

/** Everything in schema.json that is not a resource or a type, in schema order. */
export const PACKAGE = {
  name: "qemu",
  displayName: "QEMU (local)",
  version: VERSION,
  description:
    "Local QEMU virtual machines with isolated networks, NAT, DHCP and DNS, driven by the qvmd agent.",
  keywords: ["qemu", "vm", "local", "category/infrastructure"],
  license: "Apache-2.0",
  repository: "https://github.com/pulumi-qemu/pulumi-qemu",
  // supportPack makes the Go generator write sdk/go/go.mod (module path: importBasePath's parent).
  meta: { supportPack: true },
  language: {
    nodejs: {
      packageName: "pulumi-qemu",
      respectSchemaVersion: true,
      dependencies: { "@pulumi/pulumi": "3.248.0" },
      devDependencies: { typescript: "~5.9.3", "@types/node": "^20.19.0" },
    },
    python: {
      packageName: "pulumi_qemu",
      respectSchemaVersion: true,
      pyproject: { enabled: true },
      inputTypes: "classes-and-dicts",
      requires: { pulumi: ">=3.248.0,<4.0.0" },
    },
    go: {
      importBasePath: "github.com/pulumi-qemu/pulumi-qemu/sdk/go/qemu",
      respectSchemaVersion: true,
      generateResourceContainerTypes: true,
    },
  },
} as const;
