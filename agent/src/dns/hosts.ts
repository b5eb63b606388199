// hosts(5) parsing, pure. Only IPv4 entries are used: the forwarder answers A and PTR from it.
import { parseIp } from "@pulumi-qemu/api/validate";
import { isDomainName, normalizeName } from "./names";

export interface HostEntry {
  name: string;
  ip: string;
}

export function parseHostsFile(text: string): HostEntry[] {
  const out: HostEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const [ip, ...names] = line.split(/\s+/);
    if (ip === undefined || parseIp(ip) === undefined) continue;
    for (const name of names) if (isDomainName(name)) out.push({ name: normalizeName(name), ip });
  }
  return out;
}
