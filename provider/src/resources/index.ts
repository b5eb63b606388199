// Type token -> handler. Resources not built yet are declared in the schema but refuse in check,
// so a program using them fails at preview with a clear message instead of doing nothing.
import type { Props } from "../props";
import { dnsForwarder } from "./dnsForwarder";
import { image } from "./image";
import { instance } from "./instance";
import { network } from "./network";
import type { ResourceHandler } from "./types";

const notYet = (what: string): ResourceHandler => {
  const refuse = () =>
    Promise.reject(new Error(`${what} is not available yet in this version of pulumi-qemu`));
  return {
    replaceOn: [],
    check: async (_ctx, news: Props) => ({
      inputs: news,
      failures: [
        { property: "(resource)", reason: `${what} is not available yet in this version of pulumi-qemu` },
      ],
    }),
    preview: (inputs) => inputs,
    create: refuse,
    read: refuse,
    update: refuse,
    delete: refuse,
  };
};

export const handlers: Record<string, ResourceHandler> = {
  "qemu:index:Network": network,
  "qemu:index:Bridge": notYet("qemu:index:Bridge"),
  "qemu:index:Image": image,
  "qemu:index:Instance": instance,
  "qemu:index:DnsForwarder": dnsForwarder,
};
