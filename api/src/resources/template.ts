// qemu:index:InstanceTemplate — a booted, ready guest saved to qvmd's store (memory, device state,
// a frozen disk layer), from which Instances are restored instead of booted. Every input shapes
// the saved guest, so every change replaces it; it is deleted only when no instance uses it.
import { HOSTNAME_PATTERN } from "../validate/names";
import { int, list, type ResourceDecl, STRING, str } from "./declare";
import { ACCELS, CPUS, MEMORY_MB, USER_DATA_MAX_BYTES, WAIT_FOR, WAIT_SECONDS } from "./instance";

/** Root ports saved with a template: a clone can have at most this many NICs. */
export const TEMPLATE_MAX_NICS = 4;

export const InstanceTemplate = {
  token: "qemu:index:InstanceTemplate",
  doc: "A guest booted once from an Image with user-data until ready, then saved by qvmd (memory and device state, plus a frozen copy-on-write disk layer). Instances with templateId are restored from it in a fraction of a cold boot, each with its own MAC, address, host name and VM generation id (the NIC is hot-plugged after the restore, so the guest asks for a fresh DHCP lease). The image must run a DHCP client on hot-plugged NICs (see docs/warm-start.md). Any change replaces it; it is deleted only once no instance uses it.",
  notFound: "TEMPLATE_NOT_FOUND",
  props: {
    imageId: str("Id of the Image to boot. Replaces.", { required: true, known: true, replace: true }),
    networkId: str(
      "Id of the Network the template boots on (user-data may need it). Its NIC is unplugged before the save; clones get their own. Replaces.",
      { required: true, known: true, replace: true },
    ),
    cpus: int(`vCPUs of the template and of every clone. Default ${CPUS.default}. Replaces.`, {
      ...CPUS,
      known: true,
      replace: true,
    }),
    memoryMb: int(
      `Memory in MiB of the template and of every clone. Default ${MEMORY_MB.default}. Replaces.`,
      { ...MEMORY_MB, known: true, replace: true },
    ),
    hostname: str("Host name while the template boots. Default: the template id. Replaces.", {
      replace: true,
      check: (h: string) =>
        HOSTNAME_PATTERN.test(h) ? undefined : "must be a host name (letters, digits, '-')",
    }),
    userData: str("cloud-init user-data run once, in the template, before the save. Replaces.", {
      replace: true,
      check: (u: string) =>
        Buffer.byteLength(u) <= USER_DATA_MAX_BYTES
          ? undefined
          : `is larger than the seed's limit of ${USER_DATA_MAX_BYTES} bytes`,
    }),
    sshAuthorizedKeys: list(STRING, "SSH public keys for root, baked into every clone. Replaces.", {
      default: [],
      replace: true,
    }),
    accel: str("auto, kvm or tcg (clones use the same). Replaces.", {
      oneOf: ACCELS,
      default: "auto",
      replace: true,
    }),
    waitFor: str(
      "When the guest is saved: cloudInit (default: user-data has finished), ssh (port 22 answers, too) or ip. Replaces.",
      { oneOf: WAIT_FOR, default: "cloudInit", replace: true },
    ),
    waitTimeoutSeconds: int(
      `How long the boot may take to be ready, ${WAIT_SECONDS.min}-${WAIT_SECONDS.max}. Default ${WAIT_SECONDS.default}.`,
      WAIT_SECONDS,
    ),
    stateBytes: int("Size of the saved device state.", { output: true, known: true }),
    memoryBytes: int("Disk space the saved memory takes (a sparse file).", { output: true, known: true }),
    bootMs: int("How long the template took from start to ready.", { output: true, known: true }),
    saveMs: int("How long unplugging the NIC and saving took.", { output: true, known: true }),
    users: list(STRING, "Ids of the instances restored from it.", { output: true, known: true }),
  },
} satisfies ResourceDecl;
