// What of a network is missing on the host, in words (a Network's read/refresh shows it).
import { names } from "../constants";
import { formatCidr } from "@pulumi-qemu/api/validate";
import type { NetworkHost } from "./host";
import type { ResolvedNetwork } from "./spec";

export async function networkDrift(host: NetworkHost, n: ResolvedNetwork): Promise<string[]> {
  const d: string[] = [];
  const seen = await host.observe(n.id);
  if (!seen.netns) d.push(`netns ${names.netns(n.id)} missing`);
  if (!seen.hostVeth) d.push(`link ${names.hostVeth(n.id)} missing`);
  if (seen.netns && !seen.bridge) d.push(`bridge ${names.bridge(n.id)} missing`);
  if (!(await host.nftTableExists(n.id)))
    d.push(`nft table ${names.nftFamily} ${names.nftTable(n.id)} missing`);
  if (seen.netns && !(await host.fenceExists(names.netns(n.id)))) d.push(`guest fence missing`);
  if (n.dhcp.enabled && !(await host.dhcpRunning(n.id))) d.push(`DHCP server not running`);
  d.push(...(await host.forwardAcceptDrift([{ id: n.id, cidr: formatCidr(n.cidr) }])));
  return d;
}
