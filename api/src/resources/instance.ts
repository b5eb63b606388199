// qemu:index:Instance — a QEMU VM whose addresses are known when `pulumi up` returns. cpus, memory,
// disk growth, NICs and `running` change in place (with a restart where QEMU needs one); a
// different image replaces it.
import { HOSTNAME_PATTERN } from "../validate/names";
import { isUnicastMac, normalizeMac } from "../validate/mac";
import { bool, type Broken, int, list, objectType, type ResourceDecl, STRING, str } from "./declare";

/** NoCloud user-data larger than this is refused: it is read from a small seed disk at boot. */
export const USER_DATA_MAX_BYTES = 1024 * 1024;
export const CPUS = { min: 1, max: 64, default: 1 } as const;
export const MEMORY_MB = { min: 64, max: 1024 * 1024, default: 512 } as const;
export const DISK_GB = { min: 0, max: 16384, default: 0 } as const;
export const WAIT_SECONDS = { min: 1, max: 3600, default: 300 } as const;
export const PORT = { min: 1, max: 65535 } as const;
export const ACCELS = ["auto", "kvm", "tcg"] as const;
export const PROTOCOLS = ["tcp", "udp"] as const;
/** What "ready" means before create/update returns (see docs/warm-start.md). */
export const WAIT_FOR = ["ip", "cloudInit", "ssh"] as const;
export const MAX_NICS = 8;
export const MAX_PORT_FORWARDS = 64;

/** Checked after lower-casing (`normalize`). */
function mac(m: string): string | undefined {
  if (normalizeMac(m) !== m) return "must be a MAC address like 52:54:00:12:34:56";
  return isUnicastMac(m) ? undefined : "must be a unicast MAC";
}

export const InstanceNic = objectType("qemu:index:InstanceNic", "One NIC of an instance.", {
  networkId: str("Id of a Network to attach to."),
  bridgeId: str("Id of a Bridge to attach to (instead of networkId)."),
  mac: str("MAC address. Default: derived from the resource, stable across updates.", {
    normalize: (m: string) => m.toLowerCase(),
    check: mac,
  }),
  ip: str("Fixed address; becomes a DHCP reservation on the network."),
});

export const PortForward = objectType(
  "qemu:index:PortForward",
  "A host port forwarded into the guest (DNAT).",
  {
    hostPort: int("Port on the host.", { required: true, ...PORT }),
    guestPort: int("Port in the guest.", { required: true, ...PORT }),
    protocol: str("tcp or udp. Default tcp.", { oneOf: PROTOCOLS, default: "tcp" }),
    hostAddress: str("Host address to listen on. Default: all."),
  },
);

export const Instance = {
  token: "qemu:index:Instance",
  doc: "A QEMU virtual machine whose addresses are known when `pulumi up` returns (found from DHCP leases and ARP, no guest agent). cpus, memoryMb, networks and running change in place (restarting the VM where QEMU needs it); diskGb grows in place; a new imageId replaces it.",
  notFound: "INSTANCE_NOT_FOUND",
  props: {
    imageId: str("Id of an Image to boot (or give templateId). Replaces.", { known: true, replace: true }),
    templateId: str(
      "Id of an InstanceTemplate to restore instead of booting an image: cpus, memory and the disk's contents come from the template; each clone gets its own MAC, address, host name and VM generation id. Replaces.",
      { replace: true },
    ),
    cpus: int(`vCPUs, ${CPUS.min}-${CPUS.max}. Default ${CPUS.default}. In place (restart).`, {
      ...CPUS,
      known: true,
    }),
    memoryMb: int(
      `Memory in MiB, ${MEMORY_MB.min}-${MEMORY_MB.max}. Default ${MEMORY_MB.default}. In place (restart).`,
      { ...MEMORY_MB, known: true },
    ),
    diskGb: int("Disk size in GiB; 0 = the image's size. Grows in place; shrinking is rejected.", DISK_GB),
    networks: list(InstanceNic, "NICs; each may be on a different Network. In place (restart).", {
      maxItems: MAX_NICS,
      default: [],
      known: true,
    }),
    hostname: str("Host name (cloud-init). Default: the instance id.", {
      check: (h: string) =>
        HOSTNAME_PATTERN.test(h) ? undefined : "must be a host name (letters, digits, '-')",
    }),
    userData: str(
      `cloud-init user-data (#cloud-config or a #! script), at most ${USER_DATA_MAX_BYTES / 1024 / 1024} MiB.`,
      {
        check: (u: string) =>
          Buffer.byteLength(u) <= USER_DATA_MAX_BYTES
            ? undefined
            : `is larger than the seed's limit of ${USER_DATA_MAX_BYTES} bytes`,
      },
    ),
    metaData: str("cloud-init meta-data. Default: instance-id and local-hostname."),
    networkConfig: str(
      "cloud-init network-config (v1 or v2), e.g. a static address; such guests are found by ARP.",
    ),
    sshAuthorizedKeys: list(STRING, "SSH public keys for root (merged into #cloud-config user-data).", {
      default: [],
    }),
    running: bool(
      "Power state. Default true. false = ACPI powerdown, then quit. A VM stopped behind Pulumi's back reads as false on refresh.",
      { default: true, known: true },
    ),
    accel: str("auto (default: KVM only if a probe guest really boots under it, else TCG), kvm or tcg.", {
      oneOf: ACCELS,
      default: "auto",
    }),
    machine: str("QEMU machine type. Default q35 (x86_64), virt (aarch64)."),
    waitForIp: bool("Return from create/update only when every NIC has an address. Default true.", {
      default: true,
    }),
    waitFor: str(
      "What ready means before create/update returns (when waitForIp is true): ip (default: every NIC has an address), cloudInit (also: cloud-init's final message is on the serial console, i.e. user-data has finished; the image must log to the serial console), ssh (also: port 22 of the first address answers with an SSH banner).",
      { oneOf: WAIT_FOR, default: "ip" },
    ),
    waitForIpTimeoutSeconds: int(
      `How long to wait for the instance to be ready (see waitFor), ${WAIT_SECONDS.min}-${WAIT_SECONDS.max}. Default ${WAIT_SECONDS.default}. On timeout the error quotes the serial log.`,
      WAIT_SECONDS,
    ),
    portForwards: list(
      PortForward,
      "Host ports forwarded (DNAT) to the guest's first address, from other hosts and from the host itself (use a host address, not 127.0.0.1). In place. Refused when another instance forwards the port or a host process listens on it.",
      { maxItems: MAX_PORT_FORWARDS, default: [] },
    ),
    ipAddresses: list(STRING, "Address per NIC, in order (empty while unknown or stopped).", {
      output: true,
      known: true,
    }),
    macs: list(STRING, "MAC per NIC.", { output: true, known: true }),
    state: str("running or stopped.", { output: true, known: true }),
    serialLog: str("Path of the serial console log.", { output: true, known: true }),
    pid: int("QEMU's pid (0 when stopped).", { output: true, known: true }),
    diskGbInEffect: int("Disk size in effect, GiB.", { output: true }),
  },
  rules(i) {
    const broken: Broken[] = [];
    if ((i.imageId === undefined) === (i.templateId === undefined))
      broken.push({ property: "imageId", reason: "give exactly one of imageId and templateId" });
    if (i.templateId !== undefined)
      for (const p of ["userData", "metaData", "networkConfig"])
        if (i[p] !== undefined)
          broken.push({
            property: p,
            reason: "a clone restores its template's booted guest: give it to the template",
          });
    const seen = new Map<string, number>();
    (i.networks as { networkId?: string; bridgeId?: string; mac?: string }[]).forEach((n, k) => {
      if ((n.networkId === undefined) === (n.bridgeId === undefined))
        broken.push({ property: `networks[${k}]`, reason: "give exactly one of networkId and bridgeId" });
      if (!n.mac) return;
      if (seen.has(n.mac))
        broken.push({
          property: `networks[${k}].mac`,
          reason: `duplicates networks[${seen.get(n.mac)}].mac`,
        });
      seen.set(n.mac, k);
    });
    return broken;
  },
} satisfies ResourceDecl;
