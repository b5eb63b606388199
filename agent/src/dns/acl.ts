// The allow-list that keeps the forwarder from being an open resolver. Pure.
import { type Cidr, contains, parseIp } from "@pulumi-qemu/api/validate";

export class SourceAcl {
  // Few distinct sources talk to us (a VM network); remembering verdicts skips re-parsing.
  private readonly verdicts = new Map<string, boolean>();
  constructor(private readonly cidrs: Cidr[]) {}

  allows(address: string): boolean {
    let v = this.verdicts.get(address);
    if (v === undefined) {
      // IPv4-mapped IPv6 (::ffff:a.b.c.d) is how a dual-stack socket reports IPv4 peers.
      const ip = parseIp(address.startsWith("::ffff:") ? address.slice(7) : address);
      v = ip !== undefined && this.cidrs.some((c) => contains(c, ip));
      if (this.verdicts.size >= 4096) this.verdicts.clear();
      this.verdicts.set(address, v);
    }
    return v;
  }
}
