// Type token -> handler: every resource the schema declares.
import { bridge } from "./bridge";
import { dnsForwarder } from "./dnsForwarder";
import { image } from "./image";
import { instance } from "./instance";
import { network } from "./network";
import type { ResourceHandler } from "./types";

export const handlers: Record<string, ResourceHandler> = {
  "qemu:index:Network": network,
  "qemu:index:Bridge": bridge,
  "qemu:index:Image": image,
  "qemu:index:Instance": instance,
  "qemu:index:DnsForwarder": dnsForwarder,
};
