// Type token -> handler: every resource the package declares (api/src/resources/package.ts).
import { bridge } from "./bridge";
import { dnsForwarder } from "./dnsForwarder";
import { image } from "./image";
import { instance } from "./instance";
import { network } from "./network";
import { instanceTemplate } from "./template";
import type { ResourceHandler } from "./types";

export const handlers: Readonly<Record<string, ResourceHandler>> = Object.fromEntries(
  [network, bridge, image, instanceTemplate, instance, dnsForwarder].map((h) => [h.decl.token, h]),
);
