// Every on-disk path and kernel-object name qvmd creates comes from this module, so that a leak
// check (and a human) can find all of ours by prefix.
import * as path from "node:path";

/** Prefix of every kernel object of ours: netns, links, nft tables, process titles. */
export const PREFIX = "qvm";

/** Ids and interface-name limits are part of the contract: the provider checks them too. */
export { ID_PATTERN, IFNAME_MAX } from "@pulumi-qemu/api/validate";

/** The unprivileged users QEMU and dnsmasq run as (scripts/setup-users.sh, the package's postinst). */
export const SANDBOX_USERS = { qemu: "qvmd-qemu", dhcp: "qvmd-dhcp" } as const;

export const DEFAULT_STATE_DIR = "/var/lib/qvmd";
export const DEFAULT_RUN_DIR = "/run/qvmd";
export const DEFAULT_SOCKET = path.join(DEFAULT_RUN_DIR, "qvmd.sock");
export const SOCKET_MODE = 0o660;
/** The only PATH qvmd uses to find ip, nft, qemu-img, dnsmasq, python3... (set at start). */
export const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const names = {
  netns: (id: string) => `${PREFIX}-${id}`,
  hostVeth: (id: string) => `${PREFIX}${id}h`,
  nsVeth: (id: string) => `${PREFIX}${id}n`,
  bridge: (id: string) => `${PREFIX}${id}b`,
  nftTable: (id: string) => `${PREFIX}_${id}`,
  /** The port-forward (DNAT) table of an instance, family ip. */
  portTable: (id: string) => `${PREFIX}p_${id}`,
  /** The guest fence (family bridge): one per namespace, a network's or the root one. */
  fenceTable: `${PREFIX}_fence`,
  /** nft family of every table of ours. */
  nftFamily: "inet" as const,
  /** TAP of NIC `n` of instance `id`; `qvt` + 8 + 2 digits stays within IFNAME_MAX. */
  tap: (id: string, n: number) => `qvt${id}${n}`,
  /** QEMU `-name` of an instance; also how a restarted agent finds the process again. */
  qemu: (id: string) => `${PREFIX}-${id}`,
  /** QEMU `-name` of an InstanceTemplate's build VM (never an instance's: ids may coincide). */
  templateQemu: (id: string) => `${PREFIX}-tpl-${id}`,
  /** TAP of a template's build VM; `qvs` + 8 + 1 stays within IFNAME_MAX. */
  templateTap: (id: string) => `qvs${id}0`,
  /** Root ports of a template (`rp<n>`) and its NICs' device ids (`nic<n>`): clones re-plug them. */
  rootPort: (n: number) => `rp${n}`,
  nicDevice: (n: number) => `nic${n}`,
  /** `-m comment --comment` on the iptables FORWARD accept rules of a network: how we find ours. */
  forwardComment: (id: string) => `${PREFIX}:${id}`,
};

/** Every interface of ours, as an nft wildcard (networks never reach each other through them). */
export const IFNAME_WILDCARD = `${PREFIX}*`;

/** The host end of a network's veth: how a host route through one of our networks is recognised. */
export const HOST_VETH_PATTERN = new RegExp(`^${PREFIX}[a-z0-9]{1,8}h$`);

/** Host bridges qvmd creates are named with this prefix (adopted ones keep their names). */
export const CREATED_BRIDGE_PREFIX = "qv";

/** Temporary files and processes of ours outside the state directory. */
export const temp = {
  /** The accelerator probe's directory (in the system's temp dir) and QEMU `-name`. */
  probeDir: `${PREFIX}-probe-`,
  probeName: `${PREFIX}-accel-probe`,
  /** A seed being written (a file; a directory when made by older versions), next to the seed it replaces. */
  seedDir: `.${PREFIX}-seed-`,
};

/** Where iproute2 keeps named network namespaces, and the kernel's IPv4 forwarding switch. */
export const NETNS_DIR = "/run/netns";
/** One entry per link of the root namespace (qvmd's own): existence without running `ip`. */
export const SYS_CLASS_NET = "/sys/class/net";
export const IP_FORWARD_FILE = "/proc/sys/net/ipv4/ip_forward";
/** Changes at every boot of the host. */
export const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

/** Reads the network id back out of a forward-accept rule's comment. */
export const FORWARD_COMMENT_PATTERN = /^qvm:([a-z0-9]{1,8})$/;

/** The firewall guard's backstop: how often it checks our rules are all still there. */
export const FIREWALL_CHECK_PERIOD_MS = 30000;

/**
 * How long a re-create of a network waits for the host veth of its deleted namespace to be torn
 * down by the kernel (it does that later, on a workqueue) before deleting it itself.
 */
export const DYING_VETH_WAIT_MS = 10000;

export interface Paths {
  stateDir: string;
  runDir: string;
}

export function paths(p: Paths) {
  return {
    stateFile: path.join(p.stateDir, "state.json"),
    /** A copy of the state as last written whole; loaded when state.json is damaged. */
    stateLastGood: path.join(p.stateDir, "state.last-good.json"),
    hostFile: path.join(p.stateDir, "host.json"),
    networkDir: (id: string) => path.join(p.stateDir, "networks", id),
    dnsmasqConf: (id: string) => path.join(p.stateDir, "networks", id, "dnsmasq.conf"),
    dhcpHosts: (id: string) => path.join(p.stateDir, "networks", id, "dhcp-hosts"),
    leases: (id: string) => path.join(p.stateDir, "networks", id, "leases"),
    dnsmasqLog: (id: string) => path.join(p.stateDir, "networks", id, "dnsmasq.log"),
    dnsmasqPid: (id: string) => path.join(p.runDir, `${PREFIX}-${id}-dnsmasq.pid`),
    agentLog: path.join(p.stateDir, "qvmd.log"),
    blobsDir: path.join(p.stateDir, "images", "blobs"),
    blob: (sha256: string) => path.join(p.stateDir, "images", "blobs", sha256),
    downloadsDir: path.join(p.stateDir, "images", "downloads"),
    uploadsDir: path.join(p.stateDir, "images", "uploads"),
    instanceDir: (id: string) => path.join(p.stateDir, "instances", id),
    instanceDisk: (id: string) => path.join(p.stateDir, "instances", id, "disk.qcow2"),
    instanceSeed: (id: string) => path.join(p.stateDir, "instances", id, "seed.iso"),
    instanceSerial: (id: string) => path.join(p.stateDir, "instances", id, "serial.log"),
    instanceVars: (id: string) => path.join(p.stateDir, "instances", id, "efivars.fd"),
    /** The boot id of the host when qvmd last started instances after a boot; gone with /run. */
    bootMarker: path.join(p.runDir, "qvmd.boot"),
    instancePid: (id: string) => path.join(p.runDir, `${PREFIX}-${id}.pid`),
    instanceQmp: (id: string) => path.join(p.runDir, `${PREFIX}-${id}.qmp`),
    /** Where a clone's QEMU listens for its template's saved state (streamed by qvmd). */
    instanceRestore: (id: string) => path.join(p.runDir, `${PREFIX}-${id}.restore`),
    templateDir: (id: string) => path.join(p.stateDir, "templates", id),
    templateDisk: (id: string) => path.join(p.stateDir, "templates", id, "disk.qcow2"),
    /** The guest's RAM: file-backed while the template runs, mapped private by every clone. */
    templateMemory: (id: string) => path.join(p.stateDir, "templates", id, "memory"),
    /** Device state (QEMU migration stream with x-ignore-shared: RAM is in `memory`). */
    templateState: (id: string) => path.join(p.stateDir, "templates", id, "state"),
    templateSeed: (id: string) => path.join(p.stateDir, "templates", id, "seed.iso"),
    templateSerial: (id: string) => path.join(p.stateDir, "templates", id, "serial.log"),
    templatePid: (id: string) => path.join(p.runDir, `${PREFIX}-tpl-${id}.pid`),
    templateQmp: (id: string) => path.join(p.runDir, `${PREFIX}-tpl-${id}.qmp`),
    /** qvmd listens here for the template's migration stream while it saves. */
    templateSaveSocket: (id: string) => path.join(p.runDir, `${PREFIX}-tpl-${id}.save`),
  };
}
export type StatePaths = ReturnType<typeof paths>;

/** Uploads (UploadBlob): chunk size, how long a stream may stay silent, how long bytes are held. */
export const UPLOAD_CHUNK_MAX = 1024 * 1024;
export const UPLOAD_IDLE_MS = 60000;
export const UPLOAD_HOLD_MS = 60 * 60 * 1000;

/**
 * V8 options of qvmd's processes (issue 13, memory). V8 lets a young generation grow to 2 x 16 MB
 * of semi-spaces once allocation keeps surviving scavenges; qvmd allocates little per call and
 * idles between calls, so it keeps 2 x 1 MB (more, cheaper scavenges). The DNS forwarder process
 * allocates per packet: 2 x 2 MB. qvmd gets its options from NODE_OPTIONS (the systemd unit, the
 * tests' and benches' qvmd: V8 sizes its heap before any script runs); the forwarder process from
 * qvmd, in its environment, which a single executable reads as node does.
 */
export const QVMD_NODE_OPTIONS = "--max-semi-space-size=1";
export const DNS_PROCESS_NODE_OPTIONS = "--max-semi-space-size=2";
/**
 * How long qvmd's processes stay quiet (no API call; no control message for the DNS process)
 * before they give back what a burst of work left behind (util/memtrim.ts): long enough that a
 * Pulumi update's calls do not trim between each other, short enough to follow each burst.
 */
export const MEMTRIM_QUIET_MS = 2000;
