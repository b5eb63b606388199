// qemu:index:Network — an isolated network (namespace + bridge + NAT + DHCP) owned by qvmd.
import { ID_PATTERN } from "../validate/names";
import { bool, int, list, obj, objectType, type ResourceDecl, STRING, str } from "./declare";

export const MTU = { min: 576, max: 9000, default: 1500 } as const;
export const LEASE = { min: 120, max: 30 * 24 * 3600 } as const;
/** The lease time the agent applies when none is given (the wire's 0). */
export const LEASE_DEFAULT_SECONDS = 3600;

/** Kernel names are derived from the network's name: `qvm<name>h` must fit IFNAMSIZ. */
function networkName(n: string): string | undefined {
  if (!/^[a-z0-9]+$/.test(n)) return "must contain only a-z and 0-9";
  if (!ID_PATTERN.test(n))
    return `is too long: interface names derived from it ("qvm<name>h") must fit Linux's 15 characters, so use at most 8 characters`;
  return undefined;
}

export const FirewallStatus = objectType(
  "qemu:index:FirewallStatus",
  "State of a network's firewall rules.",
  {
    state: str("ok or degraded.", { required: true }),
    lastError: str("Why it is degraded, when it is."),
    lastRepairedAt: str("When qvmd last restored rules another tool had removed (ISO 8601)."),
  },
);

export const DhcpReservation = objectType("qemu:index:DhcpReservation", "A fixed address for one MAC.", {
  mac: str("MAC address of the guest NIC, aa:bb:cc:dd:ee:ff.", { required: true }),
  ip: str(
    "Address handed to that MAC. Must be a host address of the network's CIDR, not the gateway or the DHCP server's (last) address.",
    { required: true },
  ),
  hostname: str("Optional host name sent with the lease."),
});

export const DhcpRange = objectType(
  "qemu:index:DhcpRange",
  "First and last address of the dynamic DHCP pool.",
  {
    start: str("First address of the pool.", { required: true }),
    end: str("Last address of the pool.", { required: true }),
  },
);

export const NetworkDhcp = objectType(
  "qemu:index:NetworkDhcp",
  "The network's DHCP server (dnsmasq inside the namespace, DHCP only). Reservations, range and lease time change in place.",
  {
    enabled: bool("Serve DHCP. Default true.", { default: true }),
    range: obj(
      DhcpRange,
      "Dynamic pool. Default: every host address except the gateway and the last host (the DHCP server's own address).",
    ),
    leaseTime: int(
      `Lease time in seconds, ${LEASE.min} to ${LEASE.max}. Default ${LEASE_DEFAULT_SECONDS}.`,
      LEASE,
    ),
    reservations: list(DhcpReservation, "Fixed addresses by MAC. Leases survive agent restarts.", {
      default: [],
    }),
  },
);

export const Network = {
  token: "qemu:index:Network",
  doc: "An isolated network: a namespace with a bridge, joined to the host by a veth pair, NAT through one nftables table of ours, and a DHCP server with reservations.",
  notFound: "NET_NOT_FOUND",
  props: {
    name: str(
      "Short name (1-8 characters, a-z 0-9) used in every kernel object of the network (netns qvm-<name>, links qvm<name>h/n/b, nft table inet qvm_<name>). Default: 8 random hex characters. Changing it replaces the network.",
      { replace: true, known: true, computed: true, check: networkName },
    ),
    cidr: str(
      "Private IPv4 network (RFC 1918), prefix /16 to /29, e.g. 192.168.71.0/24. Must not overlap another network or a host route. Changing it replaces the network.",
      { replace: true, required: true, known: true, example: "192.168.71.0/24" },
    ),
    gateway: str(
      "Gateway address, held by the host end of the veth pair. Default: the first host address. The last host address is kept for the DHCP server. Changing it replaces the network.",
      { replace: true, known: true, computed: true, outDoc: "Gateway address in effect." },
    ),
    dhcp: obj(NetworkDhcp, "DHCP settings. Default: enabled with the whole pool.", { default: {} }),
    nat: bool(
      "Masquerade traffic leaving the network through the host's routes (false: route it untranslated). Default true. Changes in place.",
      { default: true, known: true },
    ),
    isolated: bool(
      "No egress at all: guests reach only each other, the gateway's DHCP/DNS and port forwards in. Default false. Changes in place.",
      { default: false },
    ),
    mtu: int(
      `MTU of the bridge and veth pair, ${MTU.min} to ${MTU.max}. Default ${MTU.default}. Changes in place.`,
      {
        ...MTU,
        known: true,
      },
    ),
    namespace: str("Network namespace holding the bridge and the guests' TAP devices.", {
      output: true,
      known: true,
    }),
    bridge: str("Bridge inside the namespace.", { output: true, known: true }),
    hostInterface: str("Host end of the veth pair (root namespace); holds the gateway address.", {
      output: true,
      known: true,
    }),
    dhcpServerAddress: str("The DHCP server's own address on the bridge (the last host address).", {
      output: true,
      known: true,
    }),
    dhcpRange: obj(DhcpRange, "DHCP pool in effect.", { output: true }),
    leaseTime: int("Lease time in effect, seconds.", { output: true }),
    drift: list(
      STRING,
      "Objects of the network missing or changed on the host, as last read (empty when all is well). The next update repairs them.",
      { output: true, known: true },
    ),
    firewall: obj(
      FirewallStatus,
      "The network's firewall as last read: ok, or degraded with the last error, and when qvmd last repaired rules another tool removed.",
      { output: true },
    ),
  },
} satisfies ResourceDecl;
