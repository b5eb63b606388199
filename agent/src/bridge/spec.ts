// Pure validation of a host bridge spec.
import { resources } from "@pulumi-qemu/api";
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { CREATED_BRIDGE_PREFIX, ID_PATTERN, IFNAME_MAX } from "../constants";
import { parseRequest, parseShape } from "../errors";
import { isHost, isIfName, maskOf, parseIp, type Violation } from "@pulumi-qemu/api/validate";

export const bridgeSpecShape = z.object({
  id: z.string().max(64),
  name: z.string().max(64),
  address: z.string().max(64).default(""),
  uplink: z.string().max(64).default(""),
  stp: z.boolean().default(false),
  mtu: z.number().int().min(0).max(65535).default(0),
  adopt: z.boolean().default(false),
  owner: z.string().max(1024).default(""),
}) satisfies z.ZodType<wire.BridgeSpec__Output>;
export type BridgeSpecInput = z.input<typeof bridgeSpecShape>;
export type BridgeSpec = z.output<typeof bridgeSpecShape>;

const { MTU } = resources;

const specRequest = z.object({ spec: bridgeSpecShape });

/** ApplyBridge: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): BridgeSpec => parseRequest(specRequest, req).spec;

export function checkBridge(raw: BridgeSpecInput): { spec?: BridgeSpec; violations: Violation[] } {
  const v: Violation[] = [];
  const { data: s, violations: shapeViolations } = parseShape(bridgeSpecShape, raw);
  if (!s) return { violations: shapeViolations };
  const bad = (property: string, code: Violation["code"], reason: string) =>
    v.push({ property, code, reason });
  if (!ID_PATTERN.test(s.id)) bad("id", "BAD_ID", `id "${s.id}" must match ${ID_PATTERN}`);
  if (!isIfName(s.name))
    bad(
      "name",
      "BAD_NAME",
      `"${s.name}" is not an interface name (letters, digits, _ . -, at most ${IFNAME_MAX})`,
    );
  // Everything qvmd creates carries its prefix, so a leak check finds it; adopted bridges keep theirs.
  else if (!s.adopt && !s.name.startsWith(CREATED_BRIDGE_PREFIX))
    bad(
      "name",
      "BAD_NAME",
      `a bridge qvmd creates must be named qv... (got "${s.name}"); set adopt: true to use an existing bridge`,
    );
  if (s.address !== "") {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(s.address);
    const ip = m ? parseIp(m[1]!) : undefined;
    const prefix = m ? Number(m[2]) : NaN;
    if (ip === undefined || !(prefix >= 8 && prefix <= 30))
      bad("address", "BAD_ADDRESS", `"${s.address}" is not a host address with a prefix (a.b.c.d/8..30)`);
    else if (!isHost({ network: (ip & maskOf(prefix)) >>> 0, prefix }, ip))
      bad("address", "BAD_ADDRESS", `${s.address} is a network or broadcast address, not a host address`);
  }
  if (s.uplink !== "" && !isIfName(s.uplink))
    bad("uplink", "BAD_NAME", `"${s.uplink}" is not an interface name`);
  if (s.uplink === s.name && s.uplink !== "")
    bad("uplink", "BAD_UPLINK", "the uplink cannot be the bridge itself");
  if (s.uplink === "lo") bad("uplink", "BAD_UPLINK", "the loopback interface cannot be an uplink");
  // 0 = leave the MTU as it is.
  if (s.mtu !== 0 && (s.mtu < MTU.min || s.mtu > MTU.max))
    bad("mtu", "BAD_MTU", `mtu ${s.mtu} is outside ${MTU.min}..${MTU.max}`);
  return v.length > 0 ? { violations: v } : { spec: s, violations: v };
}
