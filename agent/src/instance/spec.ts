// Pure validation of an instance spec. Cross-resource checks (image and network exist, MAC and IP
// clashes with other instances) are conflicts.ts, on the facts admission.ts gathers.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { ID_PATTERN } from "../constants";
import { parseRequest, parseShape } from "../errors";
import { resources, USER_DATA_MAX_BYTES } from "@pulumi-qemu/api";
import {
  formatIp,
  isHostName,
  isUnicastMac,
  normalizeMac,
  parseIp,
  type Violation,
} from "@pulumi-qemu/api/validate";

export { USER_DATA_MAX_BYTES };

// Defaults and ranges are the resource's, declared once in api/src/resources/instance.ts.
const { ACCELS, CPUS, DISK_GB, MEMORY_MB, PORT, PROTOCOLS, WAIT_FOR, WAIT_SECONDS, range } = resources;
const within = (v: number, r: { min: number; max: number }) => v >= r.min && v <= r.max;

export const instanceSpecShape = z.object({
  id: z.string().max(64),
  image_id: z.string().max(64).default(""),
  cpus: z.number().int().default(CPUS.default),
  memory_mb: z.number().int().default(MEMORY_MB.default),
  disk_gb: z.number().int().default(0),
  nics: z
    .array(
      z.object({
        network_id: z.string().max(64).default(""),
        bridge_id: z.string().max(64).default(""),
        mac: z.string().max(64),
        ip: z.string().max(64).default(""),
      }),
    )
    .max(resources.MAX_NICS)
    .default([]),
  hostname: z.string().max(253).default(""),
  user_data: z
    .string()
    .max(4 * USER_DATA_MAX_BYTES)
    .default(""),
  meta_data: z
    .string()
    .max(64 * 1024)
    .default(""),
  network_config: z
    .string()
    .max(64 * 1024)
    .default(""),
  ssh_authorized_keys: z
    .array(z.string().max(16 * 1024))
    .max(64)
    .default([]),
  running: z.boolean().default(true),
  accel: z.string().max(16).default(""),
  machine: z.string().max(64).default(""),
  wait_for_ip_seconds: z.number().int().default(0),
  wait_for: z.string().max(16).default(""),
  template_id: z.string().max(64).default(""),
  owner: z.string().max(1024).default(""),
  port_forwards: z
    .array(
      z.object({
        host_port: z.number().int(),
        guest_port: z.number().int(),
        protocol: z.string().max(8).default(""),
        host_address: z.string().max(64).default(""),
      }),
    )
    .max(resources.MAX_PORT_FORWARDS)
    .default([]),
}) satisfies z.ZodType<wire.InstanceSpec__Output>;
export type InstanceSpecInput = z.input<typeof instanceSpecShape>;

/** Wire fields a program names otherwise (see `propertyOf`). */
export const INSTANCE_RENAMES = { nics: "networks", wait_for_ip_seconds: "waitForIp" } as const;
export type InstanceSpec = z.output<typeof instanceSpecShape>;

const specRequest = z.object({ spec: instanceSpecShape });

/** CheckInstance, ApplyInstance: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): InstanceSpec => parseRequest(specRequest, req, INSTANCE_RENAMES).spec;

/** A NIC is on exactly one of: a Network (its namespace's bridge) or a host Bridge. */
export interface ResolvedNic {
  networkId?: string;
  bridgeId?: string;
  mac: string;
  ip?: number;
}

export interface ResolvedForward {
  hostPort: number;
  guestPort: number;
  protocol: "tcp" | "udp";
  /** "" = every local address. */
  hostAddress: string;
}

export type WaitFor = (typeof WAIT_FOR)[number];

export interface ResolvedInstance extends Omit<
  InstanceSpec,
  "nics" | "accel" | "port_forwards" | "wait_for"
> {
  nics: ResolvedNic[];
  accel: "auto" | "kvm" | "tcg";
  wait_for: WaitFor;
  forwards: ResolvedForward[];
}

/**
 * The spec as recorded: what was validated, in the one spelling every consumer expects (MACs lower
 * case, addresses as parsed), so nothing downstream re-reads raw input (finding 13).
 */
export function normalisedSpec(spec: InstanceSpec, inst: ResolvedInstance): InstanceSpec {
  return {
    ...spec,
    nics: spec.nics.map((n, i) => ({
      ...n,
      mac: inst.nics[i]!.mac,
      ip: inst.nics[i]!.ip === undefined ? "" : formatIp(inst.nics[i]!.ip!),
    })),
    port_forwards: inst.forwards.map((f) => ({
      host_port: f.hostPort,
      guest_port: f.guestPort,
      protocol: f.protocol,
      host_address: f.hostAddress,
    })),
  };
}

/** Two forwards claim the same host socket: same protocol and port, and an address in common. */
export const forwardsClash = (a: ResolvedForward, b: ResolvedForward) =>
  a.protocol === b.protocol &&
  a.hostPort === b.hostPort &&
  (a.hostAddress === "" || b.hostAddress === "" || a.hostAddress === b.hostAddress);

export function resolveInstance(raw: InstanceSpecInput): {
  instance?: ResolvedInstance;
  violations: Violation[];
} {
  const v: Violation[] = [];
  const bad = (property: string, code: Violation["code"], reason: string) =>
    v.push({ property, code, reason });
  const parsed = parseShape(instanceSpecShape, raw, INSTANCE_RENAMES);
  if (!parsed.data) return { violations: parsed.violations };
  // proto3 sends 0 for an unset number: 0 means "the default" here, as in the network spec.
  const s = {
    ...parsed.data,
    cpus: parsed.data.cpus || CPUS.default,
    memory_mb: parsed.data.memory_mb || MEMORY_MB.default,
  };
  if (!ID_PATTERN.test(s.id)) bad("id", "BAD_ID", `id "${s.id}" must match ${ID_PATTERN}`);
  if (s.template_id !== "") {
    // A clone: the template decides what the guest is; only its NICs and name are its own.
    if (!ID_PATTERN.test(s.template_id))
      bad("templateId", "BAD_ID", `template id "${s.template_id}" is not a valid template id`);
    if (s.image_id !== "") bad("imageId", "CLONE_FIXED", "give exactly one of imageId and templateId");
    for (const [k, prop] of [
      ["user_data", "userData"],
      ["meta_data", "metaData"],
      ["network_config", "networkConfig"],
    ] as const)
      if (s[k] !== "")
        bad(prop, "CLONE_FIXED", "a clone restores its template's booted guest: give it to the template");
    if (s.disk_gb !== 0) bad("diskGb", "CLONE_FIXED", "a clone's disk is its template's size");
    if (s.nics.length > resources.TEMPLATE_MAX_NICS)
      bad("networks", "CLONE_FIXED", `a clone has at most ${resources.TEMPLATE_MAX_NICS} NICs`);
  } else if (!ID_PATTERN.test(s.image_id))
    bad("imageId", "BAD_ID", `image id "${s.image_id}" is not a valid image id`);
  if (!within(s.cpus, CPUS)) bad("cpus", "BAD_CPUS", `cpus ${s.cpus} is outside ${range(CPUS)}`);
  if (!within(s.memory_mb, MEMORY_MB))
    bad("memoryMb", "BAD_MEMORY", `memoryMb ${s.memory_mb} is outside ${range(MEMORY_MB)}`);
  if (!within(s.disk_gb, DISK_GB))
    bad("diskGb", "BAD_DISK", `diskGb ${s.disk_gb} is outside ${range(DISK_GB)}`);
  if (s.hostname !== "" && !isHostName(s.hostname))
    bad("hostname", "BAD_HOSTNAME", `"${s.hostname}" is not a valid host name`);
  if (Buffer.byteLength(s.user_data) > USER_DATA_MAX_BYTES)
    bad(
      "userData",
      "USER_DATA_TOO_LARGE",
      `userData is ${Buffer.byteLength(s.user_data)} bytes; the seed holds at most ${USER_DATA_MAX_BYTES}`,
    );
  s.ssh_authorized_keys.forEach((k, i) => {
    if (/[\r\n]/.test(k) || !/^(ssh-|ecdsa-|sk-)/.test(k.trim()))
      bad(
        `sshAuthorizedKeys[${i}]`,
        "BAD_SSH_KEY",
        "must be one public key line (ssh-ed25519 AAAA..., ssh-rsa ..., ecdsa-...)",
      );
  });
  const accel = (s.accel || "auto") as ResolvedInstance["accel"];
  if (!(ACCELS as readonly string[]).includes(accel))
    bad("accel", "BAD_ACCEL", `accel "${s.accel}" is not auto, kvm or tcg`);
  if (s.machine !== "" && !/^[a-z0-9][a-z0-9._-]*$/.test(s.machine))
    bad("machine", "BAD_MACHINE", `machine "${s.machine}" is not a QEMU machine type`);
  // 0 = do not wait (waitForIp: false).
  if (!within(s.wait_for_ip_seconds, { min: 0, max: WAIT_SECONDS.max }))
    bad("waitForIp", "BAD_TIMEOUT", `the IP wait must be 0..${WAIT_SECONDS.max} seconds`);
  const waitFor = (s.wait_for || "ip") as WaitFor;
  if (!(WAIT_FOR as readonly string[]).includes(waitFor))
    bad("waitFor", "BAD_WAIT_FOR", `waitFor "${s.wait_for}" is not ${WAIT_FOR.join(", ")}`);
  const nics: ResolvedNic[] = [];
  const macs = new Map<string, number>();
  s.nics.forEach((n, i) => {
    const at = `networks[${i}]`;
    if ((n.network_id === "") === (n.bridge_id === ""))
      bad(at, "BAD_NIC", "give exactly one of networkId and bridgeId");
    else if (n.network_id !== "" && !ID_PATTERN.test(n.network_id))
      bad(`${at}.networkId`, "BAD_ID", `"${n.network_id}" is not a valid network id`);
    else if (n.bridge_id !== "" && !ID_PATTERN.test(n.bridge_id))
      bad(`${at}.bridgeId`, "BAD_ID", `"${n.bridge_id}" is not a valid bridge id`);
    if (n.bridge_id !== "" && n.ip !== "")
      bad(
        `${at}.ip`,
        "IP_ON_BRIDGE",
        "a fixed ip needs a Network (it becomes a DHCP reservation); on a Bridge the LAN's DHCP server decides",
      );
    const mac = normalizeMac(n.mac);
    if (!mac) bad(`${at}.mac`, "BAD_MAC", `"${n.mac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
    else if (!isUnicastMac(mac)) bad(`${at}.mac`, "BAD_MAC", `${mac} is a multicast address`);
    else if (macs.has(mac))
      bad(`${at}.mac`, "DUPLICATE_MAC", `${mac} is already used by networks[${macs.get(mac)}]`);
    else macs.set(mac, i);
    const ip = n.ip === "" ? undefined : parseIp(n.ip);
    if (n.ip !== "" && ip === undefined) bad(`${at}.ip`, "BAD_IP", `"${n.ip}" is not an IPv4 address`);
    if (mac)
      nics.push({ ...(n.network_id ? { networkId: n.network_id } : { bridgeId: n.bridge_id }), mac, ip });
  });
  const forwards: ResolvedForward[] = [];
  s.port_forwards.forEach((f, i) => {
    const at = `portForwards[${i}]`;
    const fw: ResolvedForward = {
      hostPort: f.host_port,
      guestPort: f.guest_port,
      protocol: (f.protocol || "tcp") as "tcp" | "udp",
      hostAddress: f.host_address,
    };
    if (!within(f.host_port, PORT))
      bad(`${at}.hostPort`, "BAD_PORT", `hostPort ${f.host_port} is outside ${range(PORT)}`);
    if (!within(f.guest_port, PORT))
      bad(`${at}.guestPort`, "BAD_PORT", `guestPort ${f.guest_port} is outside ${range(PORT)}`);
    if (!(PROTOCOLS as readonly string[]).includes(fw.protocol))
      bad(`${at}.protocol`, "BAD_PROTOCOL", `protocol "${f.protocol}" is not tcp or udp`);
    if (f.host_address !== "" && parseIp(f.host_address) === undefined)
      bad(`${at}.hostAddress`, "BAD_IP", `"${f.host_address}" is not an IPv4 address`);
    const dup = forwards.findIndex((o) => forwardsClash(o, fw));
    if (dup >= 0)
      bad(
        `${at}.hostPort`,
        "PORT_FORWARDED",
        `${fw.protocol} port ${fw.hostPort} is already forwarded by portForwards[${dup}]`,
      );
    forwards.push(fw);
  });
  if (forwards.length > 0 && nics.length === 0)
    bad("portForwards", "NO_NIC", "port forwards need a NIC on a network");
  if (v.length > 0) return { violations: v };
  if (waitFor === "ssh" && nics.length === 0)
    bad("waitFor", "NO_NIC", "waitFor ssh needs a NIC (SSH is probed on the first address)");
  return { violations: v, instance: { ...s, nics, accel, forwards, wait_for: waitFor } };
}
