// qemu:index:Bridge — a host bridge (root namespace) for VMs on the LAN, optionally enslaving an
// uplink NIC whose addresses move to the bridge and back on destroy.
import { IFNAME_MAX } from "../validate/names";
import { bool, int, list, type ResourceDecl, STRING, str } from "./declare";
import { MTU } from "./network";

export const Bridge = {
  token: "qemu:index:Bridge",
  doc: "A host bridge (root namespace) for VMs on the LAN. With an uplink, the uplink's IPv4 addresses and routes move to the bridge (and back on destroy), so the host keeps its connectivity. Instances attach NICs with bridgeId; their addresses are found by ARP from the bridge's address. An adopted bridge is never deleted.",
  notFound: "BRIDGE_NOT_FOUND",
  props: {
    name: str("Interface name, at most 15 characters; must start with qv unless adopted. Replaces.", {
      outDoc: "Interface name.",
      required: true,
      known: true,
      replace: true,
      check: (n: string) =>
        n.length > IFNAME_MAX ? "is longer than Linux's 15-character interface names" : undefined,
    }),
    address: str("Optional a.b.c.d/prefix for the bridge itself (also where ARP discovery sends from).", {
      outDoc: "Address given.",
    }),
    uplink: str("NIC to enslave; its addresses and routes move to the bridge and back on destroy.", {
      outDoc: "Uplink enslaved.",
    }),
    stp: bool("Spanning tree. Default false.", { outDoc: "Spanning tree.", default: false }),
    mtu: int("MTU. Default: leave as is.", { outDoc: "MTU.", min: MTU.min, max: MTU.max }),
    adopt: bool("Use an existing bridge of that name; it is never deleted. Replaces.", {
      outDoc: "Adopted.",
      default: false,
      replace: true,
    }),
    addresses: list(STRING, "IPv4 addresses on the bridge now.", { output: true, known: true }),
    movedAddresses: list(STRING, "Addresses moved from the uplink (they go back on destroy).", {
      output: true,
    }),
    drift: list(STRING, "What is missing on the host, as last read.", { output: true, known: true }),
  },
} satisfies ResourceDecl;
