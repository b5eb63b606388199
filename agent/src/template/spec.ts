// Pure validation of an InstanceTemplate spec (the wire's TemplateSpec); defaults and ranges are
// the resource's, declared once in api/src/resources/template.ts.
import { z } from "zod";
import { ID_PATTERN } from "../constants";
import { resources, USER_DATA_MAX_BYTES, type wire } from "@pulumi-qemu/api";
import { isHostName, type Violation } from "@pulumi-qemu/api/validate";
import { parseRequest, parseShape } from "../errors";
import type { WaitFor } from "../instance/spec";

const { ACCELS, CPUS, MEMORY_MB, WAIT_FOR, WAIT_SECONDS, range } = resources;
const within = (v: number, r: { min: number; max: number }) => v >= r.min && v <= r.max;

export const templateSpecShape = z.object({
  id: z.string().max(64),
  image_id: z.string().max(64),
  network_id: z.string().max(64),
  cpus: z.number().int().default(0),
  memory_mb: z.number().int().default(0),
  hostname: z.string().max(253).default(""),
  user_data: z
    .string()
    .max(4 * USER_DATA_MAX_BYTES)
    .default(""),
  ssh_authorized_keys: z
    .array(z.string().max(16 * 1024))
    .max(64)
    .default([]),
  accel: z.string().max(16).default(""),
  wait_for: z.string().max(16).default(""),
  wait_seconds: z.number().int().default(0),
  owner: z.string().max(1024).default(""),
}) satisfies z.ZodType<wire.TemplateSpec__Output>;
export type TemplateSpecInput = z.input<typeof templateSpecShape>;
export type TemplateSpec = z.output<typeof templateSpecShape>;

/** Wire fields a program names otherwise (see `propertyOf`). */
const RENAMES = { wait_seconds: "waitTimeoutSeconds" } as const;

/** ApplyTemplate: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): TemplateSpec =>
  parseRequest(z.object({ spec: templateSpecShape }), req, RENAMES).spec;

export interface ResolvedTemplate {
  id: string;
  imageId: string;
  networkId: string;
  cpus: number;
  memoryMb: number;
  hostname: string;
  userData: string;
  sshAuthorizedKeys: string[];
  accel: "auto" | "kvm" | "tcg";
  waitFor: WaitFor;
  waitSeconds: number;
  owner: string;
}

/** What the saved guest depends on: a different key for the same id means a rebuild. */
export const buildKey = (t: ResolvedTemplate) =>
  JSON.stringify([
    t.imageId,
    t.networkId,
    t.cpus,
    t.memoryMb,
    t.hostname,
    t.userData,
    t.sshAuthorizedKeys,
    t.accel,
    t.waitFor,
  ]);

export function resolveTemplate(raw: TemplateSpecInput): {
  template?: ResolvedTemplate;
  violations: Violation[];
} {
  const v: Violation[] = [];
  const bad = (property: string, code: Violation["code"], reason: string) =>
    v.push({ property, code, reason });
  const parsed = parseShape(templateSpecShape, raw, RENAMES);
  if (!parsed.data) return { violations: parsed.violations };
  const s = parsed.data;
  const t: ResolvedTemplate = {
    id: s.id,
    imageId: s.image_id,
    networkId: s.network_id,
    cpus: s.cpus || CPUS.default,
    memoryMb: s.memory_mb || MEMORY_MB.default,
    hostname: s.hostname || s.id,
    userData: s.user_data,
    sshAuthorizedKeys: s.ssh_authorized_keys,
    accel: (s.accel || "auto") as ResolvedTemplate["accel"],
    waitFor: (s.wait_for || "cloudInit") as WaitFor,
    waitSeconds: s.wait_seconds || WAIT_SECONDS.default,
    owner: s.owner,
  };
  if (!ID_PATTERN.test(t.id)) bad("id", "BAD_ID", `id "${t.id}" must match ${ID_PATTERN}`);
  if (!ID_PATTERN.test(t.imageId)) bad("imageId", "BAD_ID", `"${t.imageId}" is not a valid image id`);
  if (!ID_PATTERN.test(t.networkId)) bad("networkId", "BAD_ID", `"${t.networkId}" is not a valid network id`);
  if (!within(t.cpus, CPUS)) bad("cpus", "BAD_CPUS", `cpus ${t.cpus} is outside ${range(CPUS)}`);
  if (!within(t.memoryMb, MEMORY_MB))
    bad("memoryMb", "BAD_MEMORY", `memoryMb ${t.memoryMb} is outside ${range(MEMORY_MB)}`);
  if (!isHostName(t.hostname)) bad("hostname", "BAD_HOSTNAME", `"${t.hostname}" is not a valid host name`);
  if (Buffer.byteLength(t.userData) > USER_DATA_MAX_BYTES)
    bad("userData", "USER_DATA_TOO_LARGE", `userData is larger than ${USER_DATA_MAX_BYTES} bytes`);
  t.sshAuthorizedKeys.forEach((k, i) => {
    if (/[\r\n]/.test(k) || !/^(ssh-|ecdsa-|sk-)/.test(k.trim()))
      bad(`sshAuthorizedKeys[${i}]`, "BAD_SSH_KEY", "must be one public key line (ssh-ed25519 AAAA..., ...)");
  });
  if (!(ACCELS as readonly string[]).includes(t.accel))
    bad("accel", "BAD_ACCEL", `accel "${t.accel}" is not auto, kvm or tcg`);
  if (!(WAIT_FOR as readonly string[]).includes(t.waitFor))
    bad("waitFor", "BAD_WAIT_FOR", `waitFor "${t.waitFor}" is not ${WAIT_FOR.join(", ")}`);
  if (!within(t.waitSeconds, WAIT_SECONDS))
    bad("waitTimeoutSeconds", "BAD_TIMEOUT", `the wait must be ${range(WAIT_SECONDS)} seconds`);
  return v.length > 0 ? { violations: v } : { violations: v, template: t };
}
