// Pure renderers: the nftables table, the `ip -batch` scripts and the dnsmasq files of a network.
// Everything here is a function of the resolved spec (and of what already exists on the host).
import { IFNAME_WILDCARD, names, type StatePaths } from "../constants";
import { formatCidr, formatIp, maskOf } from "@pulumi-qemu/api/validate";
import type { DhcpHost, ResolvedNetwork } from "./spec";

/** What the gateway serves the guests, beside ICMP: DNS (on this port) only while a forwarder runs. */
export interface GatewayServices {
  dnsPort?: number;
}

/**
 * The whole table of one network, replaced in ONE nft transaction: the leading `table …` +
 * `delete table …` pair makes the script valid whether or not the table exists, so the firewall
 * is never half-applied and re-applying is idempotent.
 *
 * Traffic from the guests is default-drop (finding 6): only IPv4 from the network's own CIDR may
 * leave (and not to another network of ours); spoofed sources and all IPv6 stop here, whatever the
 * chain's policy or rp_filter say. The host itself answers only what `services` lists, and ICMP.
 */
export function renderNftTable(n: ResolvedNetwork, services: GatewayServices = {}): string {
  const t = `${names.nftFamily} ${names.nftTable(n.id)}`;
  const h = names.hostVeth(n.id);
  const cidr = formatCidr(n.cidr);
  const gw = formatIp(n.gateway);
  const masquerade =
    n.nat && !n.isolated ? [`    ip saddr ${cidr} ip daddr != ${cidr} oifname != "${h}" masquerade`] : [];
  const port = services.dnsPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new Error(`bad DNS port ${port}`);
  const dns =
    port !== undefined
      ? [
          `    iifname "${h}" ip saddr ${cidr} ip daddr ${gw} udp dport ${port} accept`,
          `    iifname "${h}" ip saddr ${cidr} ip daddr ${gw} tcp dport ${port} accept`,
        ]
      : [];
  return [
    `table ${t}`,
    `delete table ${t}`,
    `table ${t} {`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    ...masquerade,
    `  }`,
    `  chain forwarding {`,
    `    type filter hook forward priority filter; policy accept;`,
    // Networks never reach each other: any of our host veths on the other side is refused.
    `    iifname "${h}" oifname "${IFNAME_WILDCARD}" drop`,
    `    oifname "${h}" iifname "${IFNAME_WILDCARD}" drop`,
    // Isolated: no egress at all. Otherwise the network's own addresses may leave (masqueraded
    // when nat is on, routed as they are when it is off), and nothing else.
    ...(n.isolated ? [] : [`    iifname "${h}" meta nfproto ipv4 ip saddr ${cidr} accept`]),
    `    iifname "${h}" drop`,
    `    oifname "${h}" ct state established,related accept`,
    // Port forwards: connections DNAT'ed to a guest by an instance's table may enter.
    `    oifname "${h}" ct status dnat accept`,
    `    oifname "${h}" drop`,
    `  }`,
    `  chain inbound {`,
    `    type filter hook input priority filter; policy accept;`,
    // Guests may use the host only for ICMP on the gateway, and DNS while a forwarder serves it
    // (DHCP is served inside the namespace): a host daemon listening on 0.0.0.0 stays out of reach.
    `    iifname "${h}" meta nfproto ipv4 ct state established,related accept`,
    ...dns,
    `    iifname "${h}" ip saddr ${cidr} ip daddr ${gw} icmp type { echo-request, destination-unreachable, time-exceeded } accept`,
    `    iifname "${h}" drop`,
    `  }`,
    `}`,
    "",
  ].join("\n");
}

/** What of a network already exists on the host; observed by the I/O shell. */
export interface Observed {
  netns: boolean;
  hostVeth: boolean;
  bridge: boolean;
}

/**
 * Commands for `ip -batch -` in the root namespace. The namespace is made here too (ip returns to
 * the root namespace after `netns add`), so a create is two `ip` runs, not three.
 */
export function renderRootBatch(n: ResolvedNetwork, o: Observed): string[] {
  const h = names.hostVeth(n.id);
  const lines: string[] = [];
  if (!o.netns) lines.push(`netns add ${names.netns(n.id)}`);
  if (!o.hostVeth)
    lines.push(
      `link add ${h} mtu ${n.mtu} type veth peer name ${names.nsVeth(n.id)} netns ${names.netns(n.id)}`,
    );
  lines.push(`link set ${h} mtu ${n.mtu}`);
  lines.push(`address replace ${formatIp(n.gateway)}/${n.cidr.prefix} dev ${h}`);
  lines.push(`link set ${h} up`);
  return lines;
}

/** Commands for `ip -n <netns> -batch -` inside the network's namespace. */
export function renderNsBatch(n: ResolvedNetwork, o: Observed): string[] {
  const b = names.bridge(n.id);
  const v = names.nsVeth(n.id);
  const lines: string[] = [];
  if (!o.bridge) lines.push(`link add ${b} type bridge`);
  lines.push(`link set lo up`);
  lines.push(`link set ${b} mtu ${n.mtu}`);
  lines.push(`link set ${v} mtu ${n.mtu}`);
  lines.push(`link set ${v} master ${b}`);
  lines.push(`address replace ${formatIp(n.dhcpServer)}/${n.cidr.prefix} dev ${b}`);
  lines.push(`link set ${v} up`);
  lines.push(`link set ${b} up`);
  lines.push(`route replace default via ${formatIp(n.gateway)} dev ${b}`);
  return lines;
}

/**
 * dnsmasq.conf for DHCP only (port=0 disables its DNS). Reservations live in a separate hosts file
 * so that changing them is a SIGHUP, not a restart; everything in this file needs a restart.
 * dnsmasq drops root for `as` once its sockets and files are open.
 */
export function renderDnsmasqConf(
  n: ResolvedNetwork,
  p: StatePaths,
  as: { user: string; group: string },
): string {
  for (const name of [as.user, as.group])
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name) || name === "root")
      throw new Error(`dnsmasq must drop to an unprivileged user and group, not ${JSON.stringify(name)}`);
  const mask = formatIp(maskOf(n.cidr.prefix));
  return [
    `# generated by qvmd for network ${n.id}; do not edit`,
    `port=0`,
    `interface=${names.bridge(n.id)}`,
    `bind-interfaces`,
    `except-interface=lo`,
    `dhcp-range=${formatIp(n.dhcp.start)},${formatIp(n.dhcp.end)},${mask},${n.dhcp.leaseSeconds}s`,
    `dhcp-option=option:router,${formatIp(n.gateway)}`,
    // Only the gateway as DNS server: a guest's resolver treats all listed servers as equal.
    `dhcp-option=option:dns-server,${formatIp(n.gateway)}`,
    `dhcp-hostsfile=${p.dhcpHosts(n.id)}`,
    `dhcp-leasefile=${p.leases(n.id)}`,
    `dhcp-authoritative`,
    // dnsmasq otherwise pings each new address and delays the offer by up to 3 s.
    `no-ping`,
    `pid-file=${p.dnsmasqPid(n.id)}`,
    // One line per DHCP message, not log-dhcp's dozen: the log is capped (util/logcap.ts), and
    // a guest's flood should push out as little as possible.
    `log-facility=${p.dnsmasqLog(n.id)}`,
    `user=${as.user}`,
    `group=${as.group}`,
    "",
  ].join("\n");
}

/** Reservations of the network itself, then those instances asked for (`nics[].ip`). */
export function renderDhcpHosts(n: ResolvedNetwork, extra: DhcpHost[] = []): string {
  const ip = (r: DhcpHost) => (r.ip === undefined ? [] : [formatIp(r.ip)]);
  return [...n.dhcp.reservations, ...extra]
    .map((r) => [r.mac, ...ip(r), ...(r.hostname ? [r.hostname] : [])].join(",") + "\n")
    .join("");
}
