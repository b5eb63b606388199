// Every stable error code qvmd (or its client) reports, as one typed list. Codes travel in the
// `qvmd-code` trailing metadata and in Violation.code; callers branch on them, so renaming one is a
// breaking change of the contract. An agent error whose code is not listed here does not compile.

export const ERROR_CODES = [
  // Any request
  "BAD_REQUEST", // the request does not have the proto's shape (zod, at the server's edge)
  "BAD_SHAPE", // a spec field has the wrong type or is out of the wire's bounds
  "BAD_ID",
  "INTERNAL",
  "HOST_COMMAND_FAILED",
  "STATE_CORRUPT",
  "NO_RESULT", // client side: a streaming call ended without its final event
  "NO_CALLER", // qvmd could not tell who called (the connection did not come through its socket)
  "NOT_OWNER", // the object belongs to another uid (only root may act on others' objects)
  "QUOTA_EXCEEDED", // the caller's uid would hold more than the admin's quotas allow
  "CALL_CANCELLED", // the caller went away (cancelled, or its deadline passed): qvmd stopped waiting
  // Field rules shared by several resources
  "BAD_IP",
  "BAD_MAC",
  "BAD_HOSTNAME",
  "BAD_NAME",
  "BAD_MTU",
  "DUPLICATE_MAC",
  "DUPLICATE_IP",
  "OUTSIDE_CIDR",
  "RESERVED",
  // Network
  "BAD_CIDR",
  "BAD_PREFIX",
  "NOT_PRIVATE",
  "NAME_TOO_LONG",
  "BAD_RANGE",
  "BAD_LEASE",
  "NET_OVERLAP",
  "ROUTE_OVERLAP",
  "NET_IMMUTABLE",
  "NET_IN_USE",
  "NET_NOT_FOUND",
  // Image
  "BAD_SOURCE",
  "BAD_SHA256",
  "BAD_FORMAT",
  "BAD_ARCH",
  "BAD_FIRMWARE",
  "AARCH64_NEEDS_UEFI",
  "INITRD_WITHOUT_KERNEL",
  "CMDLINE_WITHOUT_KERNEL",
  "IMAGE_NOT_FOUND",
  "IMAGE_SOURCE_MISSING",
  "IMAGE_DOWNLOAD_FAILED",
  "DOWNLOAD_NOT_ALLOWED", // a scheme, destination or redirect count the admin's config refuses
  "DOWNLOAD_TOO_LARGE",
  "IMAGE_SHA256_MISMATCH",
  "IMAGE_FORMAT_MISMATCH",
  "IMAGE_HAS_BACKING_FILE",
  "BLOB_NOT_UPLOADED", // ApplyImage names sha256:<hex> this caller did not upload (recently)
  "UPLOAD_NO_HEADER",
  "UPLOAD_TOO_LARGE",
  "UPLOAD_SIZE_MISMATCH",
  "IMAGE_HAS_DATA_FILE", // a qcow2 whose data lives in another (external) file
  "IMAGE_UNSUPPORTED_FORMAT", // neither qcow2 nor raw (VMDK, VHDX, ...), or an encrypted qcow2
  // Instance
  "BAD_CPUS",
  "BAD_MEMORY",
  "BAD_DISK",
  "BAD_SSH_KEY",
  "BAD_ACCEL",
  "BAD_MACHINE",
  "BAD_TIMEOUT",
  "BAD_NIC",
  "BAD_PORT",
  "BAD_PROTOCOL",
  "USER_DATA_TOO_LARGE",
  "IP_ON_BRIDGE",
  "NO_NIC",
  "PORT_FORWARDED",
  "PORT_IN_USE",
  "PORT_NOT_ALLOWED", // a host port below the admin's portForwards.minHostPort
  "ADDRESS_NOT_LOCAL", // a port forward's hostAddress that is not the host's own
  "IP_TAKEN",
  "DISK_SHRINK",
  "UNKNOWN_IMAGE",
  "UNKNOWN_NETWORK",
  "UNKNOWN_BRIDGE",
  "INSTANCE_NOT_FOUND",
  "INSTANCE_NO_IP",
  "INSTANCE_NOT_READY",
  // InstanceTemplate and its clones
  "TEMPLATE_NOT_FOUND",
  "TEMPLATE_IN_USE", // DeleteTemplate while instances are restored from it
  "TEMPLATE_NOT_READY", // the template boot did not become ready (quotes its serial log)
  "TEMPLATE_SAVE_FAILED",
  "UNKNOWN_TEMPLATE",
  "CLONE_FIXED", // a clone's cpus/memory/disk/user-data are the template's
  "RESTORE_FAILED", // addresses found, but cloud-init did not finish or SSH did not answer in time
  "BAD_WAIT_FOR",
  // The QEMU library (agent/src/qemu)
  "QEMU_ALREADY_RUNNING",
  "QEMU_BAD_CPUS",
  "QEMU_BAD_MAC",
  "QEMU_BAD_MEMORY",
  "QEMU_BAD_NAME",
  "QEMU_BAD_NICS",
  "QEMU_BAD_PATH",
  "QEMU_BAD_TAP",
  "QEMU_LAUNCH_FAILED",
  "QEMU_NO_FIRMWARE",
  "QEMU_NO_KERNEL",
  "QEMU_NO_UEFI",
  "QMP_CONNECT_FAILED",
  "QMP_DISCONNECTED",
  "QMP_TIMEOUT",
  "QMP_COMMAND_FAILED",
  "SEED_TOO_LARGE",
  "USERDATA_KEYS_UNMERGEABLE",
  // Bridge
  "BAD_ADDRESS",
  "BAD_UPLINK",
  "BRIDGE_EXISTS",
  "BRIDGE_MISSING",
  "BRIDGE_IMMUTABLE",
  "BRIDGE_IN_USE",
  "BRIDGE_NOT_FOUND",
  "NOT_A_BRIDGE",
  "UPLINK_MISSING",
  "UPLINK_TAKEN",
  "UPLINK_NOT_ALLOWED", // not in the admin's bridges.uplinks
  "BRIDGE_NOT_ALLOWED", // adopting a bridge not in the admin's bridges.adoptable
  "ADDRESS_NOT_ALLOWED", // a bridge address outside the admin's bridges.addressRanges
  // DNS forwarder (the library in agent/src/dns, and the resource)
  "DNS_INVALID_OPTIONS",
  "DNS_BAD_LISTEN",
  "DNS_BAD_UPSTREAM",
  "DNS_BAD_ZONE",
  "DNS_BAD_RECORD",
  "DNS_RECORD_OUTSIDE_ZONE",
  "DNS_BAD_HOST",
  "DNS_BAD_SOURCE",
  "DNS_NO_ALLOWED_SOURCES",
  "DNS_BAD_RATE_LIMIT",
  "DNS_BAD_PATH",
  "DNS_BAD_TIMEOUT",
  "DNS_LISTEN_FAILED",
  "DNS_CLOSED",
  "DNS_NETWORK_TAKEN",
  "DNS_FORWARDER_NOT_FOUND",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);
export const isErrorCode = (s: string): s is ErrorCode => KNOWN.has(s);
