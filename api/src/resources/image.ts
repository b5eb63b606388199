// qemu:index:Image — an image in qvmd's content-addressed store. What names the bytes (source,
// sha256, kernel, initrd, arch) replaces it; how they are booted (format, cmdline, firmware) does not.
import { parseSource } from "../validate/source";
import { type Broken, int, type ResourceDecl, str } from "./declare";

export const ARCHES = ["x86_64", "aarch64"] as const;
export const FIRMWARES = ["bios", "uefi"] as const;
export const FORMATS = ["qcow2", "raw"] as const;
export const CMDLINE_MAX = 4096;

const url = (s: string) => {
  const u = parseSource(s);
  return typeof u === "string" ? u : undefined;
};

export const Image = {
  token: "qemu:index:Image",
  doc: "A VM image in qvmd's content-addressed store. A new source, sha256, kernel, initrd or arch replaces it; format, cmdline and firmware change in place. The download is verified against sha256 when given; nothing is kept on a mismatch.",
  notFound: "IMAGE_NOT_FOUND",
  props: {
    source: str("file:///absolute/path or http(s):// URL of the disk image (qcow2 or raw). Replaces.", {
      required: true,
      known: true,
      replace: true,
      check: url,
    }),
    sha256: str("Expected SHA-256 (hex) of the source; a mismatch fails and keeps nothing. Replaces.", {
      outDoc: "SHA-256 of the stored bytes.",
      known: true,
      computed: true,
      replace: true,
      check: (s: string) => (/^[0-9a-fA-F]{64}$/.test(s) ? undefined : "must be 64 hexadecimal characters"),
    }),
    format: str("qcow2 or raw; detected with qemu-img when absent. In place.", {
      outDoc: "Format in effect.",
      known: true,
      computed: true,
      oneOf: FORMATS,
    }),
    kernel: str("Kernel (file:// or http(s)://) for direct boot. Replaces.", { replace: true, check: url }),
    initrd: str("Initrd for direct boot. Replaces.", { replace: true, check: url }),
    cmdline: str("Kernel command line for direct boot. In place (used from the next VM start).", {
      maxLength: CMDLINE_MAX,
    }),
    arch: str("x86_64 (default) or aarch64. Replaces.", {
      outDoc: "Architecture in effect.",
      known: true,
      replace: true,
      oneOf: ARCHES,
      default: "x86_64",
    }),
    firmware: str(
      "bios (x86_64 default) or uefi (aarch64 needs uefi). In place (used from the next VM start).",
      {
        outDoc: "Firmware in effect.",
        known: true,
        computed: true,
        oneOf: FIRMWARES,
      },
    ),
    path: str("Path of the stored blob.", { output: true, known: true }),
    sizeBytes: int("File size in bytes.", { output: true, known: true }),
    virtualSizeBytes: int("Virtual disk size in bytes.", { output: true, known: true }),
    kernelPath: str("Stored kernel, when given.", { output: true }),
    initrdPath: str("Stored initrd, when given.", { output: true }),
  },
  rules(i) {
    const broken: Broken[] = [];
    if (i.arch === "aarch64" && i.firmware === "bios")
      broken.push({ property: "firmware", reason: "aarch64 guests boot with uefi only" });
    if ((i.initrd || i.cmdline) && !i.kernel)
      broken.push({ property: "kernel", reason: "initrd and cmdline need a kernel" });
    return broken;
  },
} satisfies ResourceDecl;
