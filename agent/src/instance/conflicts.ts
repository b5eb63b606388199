// Pure cross-resource checks of an instance: the references it makes (image, networks, bridges),
// and clashes with other instances (MACs, addresses, forwarded ports) and with host listeners. The
// manager gathers the facts; the order of violations here is the order users read them in.
import { contains, formatIp, parseIp, type Violation } from "@pulumi-qemu/api/validate";
import type { ResolvedNetwork } from "../network/spec";
import type { InstanceRecord } from "../state";
import type { HostBridge } from "./discovery";
import { type Listener, listenerClash } from "./ports";
import { forwardsClash, type ResolvedForward, type ResolvedInstance, resolveInstance } from "./spec";

export interface References {
  imageExists: boolean;
  /** The template of a clone exists and is saved (only read for clones). */
  templateReady?: boolean;
  /** What each NIC's network or bridge resolved to; absent = it does not exist. */
  networks: ReadonlyMap<string, ResolvedNetwork>;
  bridges: ReadonlyMap<string, HostBridge>;
  /** Every recorded instance, this one included. */
  instances: Readonly<Record<string, InstanceRecord>>;
}

const macUsers = (
  instances: References["instances"],
  mac: string,
  skip: (id: string, r: InstanceRecord) => boolean,
) =>
  Object.entries(instances)
    .filter(([id, r]) => !skip(id, r) && (r.spec.nics ?? []).some((o) => o.mac.toLowerCase() === mac))
    .map(([id]) => id);

/** Violations of an Apply: every reference must exist, and no NIC may clash with another instance. */
export function referenceViolations(inst: ResolvedInstance, refs: References): Violation[] {
  const v: Violation[] = [];
  if (!refs.imageExists)
    v.push({ property: "imageId", code: "UNKNOWN_IMAGE", reason: `image ${inst.image_id} does not exist` });
  if (inst.template_id !== "" && !refs.templateReady)
    v.push({
      property: "templateId",
      code: "UNKNOWN_TEMPLATE",
      reason: `template ${inst.template_id} does not exist or is not saved yet`,
    });
  for (const [i, nic] of inst.nics.entries()) {
    const at = `networks[${i}]`;
    if (nic.bridgeId !== undefined) {
      if (!refs.bridges.has(nic.bridgeId))
        v.push({
          property: `${at}.bridgeId`,
          code: "UNKNOWN_BRIDGE",
          reason: `bridge ${nic.bridgeId} does not exist`,
        });
      for (const otherId of macUsers(refs.instances, nic.mac, (id) => id === inst.id))
        v.push({
          property: `${at}.mac`,
          code: "DUPLICATE_MAC",
          reason: `${nic.mac} is already used by instance ${otherId}`,
        });
      continue;
    }
    const n = refs.networks.get(nic.networkId!);
    if (!n) {
      v.push({
        property: `${at}.networkId`,
        code: "UNKNOWN_NETWORK",
        reason: `network ${nic.networkId} does not exist`,
      });
      continue;
    }
    for (const [otherId, rec] of Object.entries(refs.instances)) {
      if (otherId === inst.id) continue;
      for (const o of rec.spec.nics ?? []) {
        if (o.mac.toLowerCase() === nic.mac)
          v.push({
            property: `${at}.mac`,
            code: "DUPLICATE_MAC",
            reason: `${nic.mac} is already used by instance ${otherId}`,
          });
        if (nic.ip !== undefined && o.network_id === nic.networkId && parseIp(o.ip ?? "") === nic.ip)
          v.push({
            property: `${at}.ip`,
            code: "IP_TAKEN",
            reason: `${formatIp(nic.ip)} is already used by instance ${otherId}`,
          });
      }
    }
    if (nic.ip === undefined) continue;
    const ip = formatIp(nic.ip);
    if (!contains(n.cidr, nic.ip) || nic.ip === n.cidr.network)
      v.push({
        property: `${at}.ip`,
        code: "OUTSIDE_CIDR",
        reason: `${ip} is not a host address of network ${n.id}`,
      });
    else if (nic.ip === n.gateway || nic.ip === n.dhcpServer)
      v.push({
        property: `${at}.ip`,
        code: "RESERVED",
        reason: `${ip} is the ${nic.ip === n.gateway ? "gateway" : "DHCP server"}'s address`,
      });
    else if (n.dhcp.reservations.some((r) => r.ip === nic.ip && r.mac !== nic.mac))
      v.push({
        property: `${at}.ip`,
        code: "IP_TAKEN",
        reason: `${ip} is reserved on network ${n.id} for another MAC`,
      });
  }
  return v;
}

/**
 * Another instance with the same owner text (a Check does not know the id yet; a replacement is
 * created before the old one goes) is the same resource only when it is the caller's own: an owner
 * text is anyone's to copy (finding 12).
 */
const sameResource = (inst: ResolvedInstance, id: string, rec: InstanceRecord, callerUid: number) =>
  id === inst.id || (inst.owner !== "" && rec.spec.owner === inst.owner && (rec.uid ?? 0) === callerUid);

/** Violations knowable before anything exists (CheckInstance): MACs another resource uses. */
export function macViolations(
  inst: ResolvedInstance,
  instances: References["instances"],
  callerUid: number,
): Violation[] {
  const v: Violation[] = [];
  const same = (id: string, r: InstanceRecord) => sameResource(inst, id, r, callerUid);
  for (const [i, nic] of inst.nics.entries())
    for (const otherId of macUsers(instances, nic.mac, same))
      v.push({
        property: `networks[${i}].mac`,
        code: "DUPLICATE_MAC",
        reason: `${nic.mac} is already used by instance ${otherId}`,
      });
  return v;
}

/**
 * The admin's rules for forwards (finding 3): no host port below `minHostPort`, and a named host
 * address must be one of the host's own (`local`), so DNAT never takes traffic meant elsewhere.
 */
export function forwardPolicyViolations(
  inst: ResolvedInstance,
  minHostPort: number,
  local: ReadonlySet<string>,
): Violation[] {
  const v: Violation[] = [];
  for (const [i, f] of inst.forwards.entries()) {
    if (f.hostPort < minHostPort)
      v.push({
        property: `portForwards[${i}].hostPort`,
        code: "PORT_NOT_ALLOWED",
        reason: `hostPort ${f.hostPort} is below ${minHostPort}, the lowest this qvmd forwards (portForwards.minHostPort in its config)`,
      });
    if (f.hostAddress !== "" && !local.has(f.hostAddress))
      v.push({
        property: `portForwards[${i}].hostAddress`,
        code: "ADDRESS_NOT_LOCAL",
        reason: `${f.hostAddress} is not one of this host's own addresses (loopback excluded); a forward may only take traffic sent to the host`,
      });
  }
  return v;
}

/**
 * Host ports another instance forwards, or a host process listens on (asked only when needed);
 * `callerUid` decides which instances with the same owner text are this one (sameResource).
 */
export async function portViolations(
  inst: ResolvedInstance,
  instances: References["instances"],
  listeners: (f: ResolvedForward) => Promise<Listener[]>,
  callerUid: number,
): Promise<Violation[]> {
  const v: Violation[] = [];
  const mine = instances[inst.id] ? resolveInstance(instances[inst.id]!.spec).instance : undefined;
  for (const [i, f] of inst.forwards.entries()) {
    const at = `portForwards[${i}].hostPort`;
    for (const [otherId, rec] of Object.entries(instances)) {
      if (sameResource(inst, otherId, rec, callerUid)) continue;
      if (resolveInstance(rec.spec).instance?.forwards.some((o) => forwardsClash(o, f)))
        v.push({
          property: at,
          code: "PORT_FORWARDED",
          reason: `${f.protocol} port ${f.hostPort} is already forwarded to instance ${otherId}`,
        });
    }
    // A port this instance already forwards is held by our own DNAT, not by a listener.
    if (mine?.forwards.some((o) => forwardsClash(o, f))) continue;
    const clash = listenerClash(f, await listeners(f));
    if (clash) v.push({ property: at, code: clash.code, reason: clash.message });
  }
  return v;
}
