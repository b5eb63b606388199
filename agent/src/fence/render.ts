// The guest fence, pure: what each guest may put on its segment, checked on the frames entering a
// bridge from the guest's TAP, before the bridge forwards them or delivers them to the host.
// One table of family bridge per namespace (a network's, or the root one for host bridges),
// replaced whole in one transaction like every table of ours.
//
// Per TAP: the Ethernet source must be the NIC's MAC; ARP must be Ethernet/IPv4 with that MAC as
// sender and an address the NIC may use; IPv4 must come from such an address (0.0.0.0 only for a
// DHCP request); DHCP requests must carry the NIC's MAC as chaddr (dnsmasq leases by chaddr), and
// DHCP server replies from a guest are dropped; everything else (IPv6, VLAN tags, STP, ...) is
// dropped. A TAP of ours without rules in the table drops everything: the fence fails closed.
import {
  type Cidr,
  broadcastOf,
  formatCidr,
  formatIp,
  isUnicastMac,
  normalizeMac,
} from "@pulumi-qemu/api/validate";
import { names } from "../constants";

export interface FenceNic {
  tap: string;
  mac: string;
  /** The segment the NIC is on (its bridge's name): claims are exclusive within one segment. */
  segment: string;
  /**
   * The addresses the NIC is known to use: its reservation, its lease, the address discovered.
   * Once there is one, the NIC may use only these; while there is none, any free address.
   */
  ips: number[];
  /** The segment's subnet, when known (a network's CIDR, a host bridge's own subnet). */
  cidr?: Cidr;
  /** Addresses of the segment no guest may claim: the gateway, the DHCP server, reservations. */
  reserved: number[];
}

/** An instance's TAP (qvt…) or a template build VM's (qvs…). */
const TAP_PATTERN = /^qv[ts][a-z0-9]{1,10}$/;

/** Addresses that are never a guest's source: unspecified, loopback, multicast and above. */
const MARTIANS = ["0.0.0.0", "127.0.0.0/8", "224.0.0.0/3"];

const set = (items: string[]) => (items.length === 1 ? items[0]! : `{ ${items.join(", ")} }`);
const ipList = (ips: Iterable<number>) => [...new Set(ips)].sort((a, b) => a - b).map(formatIp);

function check(n: FenceNic): void {
  // Everything below lands in an nft script: only names and values we produced may reach it.
  if (!TAP_PATTERN.test(n.tap)) throw new Error(`fence: bad TAP name ${JSON.stringify(n.tap)}`);
  if (normalizeMac(n.mac) !== n.mac || !isUnicastMac(n.mac))
    throw new Error(`fence: bad MAC ${JSON.stringify(n.mac)} for ${n.tap}`);
  for (const ip of [...n.ips, ...n.reserved])
    if (!Number.isInteger(ip) || ip < 0 || ip > 0xffffffff) throw new Error(`fence: bad address ${ip}`);
}

/** The addresses `n` must not use: the segment's reserved ones and every other NIC's. */
function claimedByOthers(n: FenceNic, all: readonly FenceNic[]): number[] {
  const mine = new Set(n.ips);
  const others = all.filter((o) => o !== n && o.segment === n.segment).flatMap((o) => o.ips);
  const edges = n.cidr ? [n.cidr.network, broadcastOf(n.cidr)] : [];
  return [...n.reserved, ...others, ...edges].filter((ip) => !mine.has(ip));
}

/** The `ip saddr`/`arp saddr ip` matches a NIC's packets must pass, as nft expressions. */
export function sourceMatches(n: FenceNic, all: readonly FenceNic[]): { allow?: string; deny?: string } {
  if (n.ips.length > 0) return { allow: set(ipList(n.ips)) };
  const claimed = ipList(claimedByOthers(n, all));
  if (n.cidr) return { allow: formatCidr(n.cidr), deny: claimed.length > 0 ? set(claimed) : undefined };
  return { deny: set([...MARTIANS, ...claimed]) };
}

function nicChain(n: FenceNic, all: readonly FenceNic[]): string[] {
  const { allow, deny } = sourceMatches(n, all);
  const ip = (field: string) =>
    [allow && `${field} ${allow}`, deny && `${field} != ${deny}`].filter(Boolean).join(" ");
  const macHex = `0x${n.mac.replaceAll(":", "")}`;
  // An ARP probe (RFC 5227) asks from 0.0.0.0 before an address is taken.
  const arpSource = ip("arp saddr ip");
  return [
    `  chain ${n.tap} {`,
    `    ether saddr != ${n.mac} drop`,
    `    ether type arp arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ether ${n.mac} arp saddr ip 0.0.0.0 accept`,
    `    ether type arp arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ether ${n.mac} ${arpSource} accept`,
    `    ether type arp drop`,
    // A guest answering as a DHCP server would hand the others a gateway of its choosing.
    `    ether type ip udp sport 67 drop`,
    // chaddr (BOOTP bytes 28-33, after the 8-byte UDP header): a lease for another NIC's MAC
    // would make address discovery attribute an address of this guest's choosing to that NIC.
    `    ether type ip udp dport 67 @th,288,48 != ${macHex} drop`,
    `    ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept`,
    `    ether type ip ${ip("ip saddr")} accept`,
    `    drop`,
    `  }`,
  ];
}

/** The fence table of one namespace, for the NICs whose TAPs are in it. */
export function renderFence(nics: readonly FenceNic[]): string {
  nics.forEach(check);
  const taps = nics.map((n) => n.tap);
  if (new Set(taps).size !== taps.length) throw new Error(`fence: a TAP is listed twice: ${taps.join(", ")}`);
  const t = `bridge ${names.fenceTable}`;
  return [
    `table ${t}`,
    `delete table ${t}`,
    `table ${t} {`,
    `  chain prerouting {`,
    `    type filter hook prerouting priority -200; policy accept;`,
    ...(nics.length > 0 ? [`    iifname vmap { ${taps.map((x) => `"${x}" : jump ${x}`).join(", ")} }`] : []),
    // A TAP whose rules are not here yet (or any more) passes nothing.
    `    iifname "qvt*" drop`,
    `    iifname "qvs*" drop`,
    `  }`,
    ...nics.flatMap((n) => nicChain(n, nics)),
    `}`,
    "",
  ].join("\n");
}

/** Removes the table (the root namespace's, when no guest is on a host bridge any more). */
export const deleteFenceScript = (): string =>
  `table bridge ${names.fenceTable}\ndelete table bridge ${names.fenceTable}\n`;
