// Pure validation of an image spec: sources are URLs we are willing to read (parseSource, shared
// with the provider), and the architecture/firmware pair is one QEMU can boot.
import { resources } from "@pulumi-qemu/api";
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { ID_PATTERN } from "../constants";
import { parseRequest, parseShape } from "../errors";
import { parseSource as parseAnySource, type Violation } from "@pulumi-qemu/api/validate";

/** Sources qvmd itself reads: http(s) and uploads. A local path is read by the client, never here. */
function parseSource(s: string): URL | string {
  const u = parseAnySource(s);
  if (typeof u !== "string" && u.protocol === "file:")
    return (
      `qvmd does not open local files (${s}): the client reads it and uploads it (UploadBlob), ` +
      `then names it sha256:<digest>; the typed client's applyImage does this for file:// sources`
    );
  return u;
}

export const imageSpecShape = z.object({
  id: z.string().max(64),
  source: z.string().max(4096),
  sha256: z.string().max(128).default(""),
  format: z.string().max(16).default(""),
  kernel: z.string().max(4096).default(""),
  initrd: z.string().max(4096).default(""),
  cmdline: z.string().max(4096).default(""),
  arch: z.string().max(16).default(""),
  firmware: z.string().max(16).default(""),
  owner: z.string().max(1024).default(""),
}) satisfies z.ZodType<wire.ImageSpec__Output>;
export type ImageSpecInput = z.input<typeof imageSpecShape>;
/** A spec as parsed (defaults filled in): what the state records. */
export type ImageSpec = z.output<typeof imageSpecShape>;

const specRequest = z.object({ spec: imageSpecShape });

/** ApplyImage: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): ImageSpec => parseRequest(specRequest, req).spec;

const { ARCHES, FIRMWARES, FORMATS } = resources;
export type Arch = (typeof ARCHES)[number];
export type Firmware = (typeof FIRMWARES)[number];
export type DiskFormat = (typeof FORMATS)[number];

export interface ResolvedImage {
  id: string;
  source: URL;
  sha256: string;
  format: DiskFormat | "";
  kernel?: URL;
  initrd?: URL;
  cmdline: string;
  arch: Arch;
  firmware: Firmware;
  owner: string;
}

export function resolveImage(raw: ImageSpecInput): { image?: ResolvedImage; violations: Violation[] } {
  const v: Violation[] = [];
  const bad = (property: string, code: Violation["code"], reason: string) =>
    v.push({ property, code, reason });
  const { data: s, violations: shapeViolations } = parseShape(imageSpecShape, raw);
  if (!s) return { violations: shapeViolations };
  if (!ID_PATTERN.test(s.id)) bad("id", "BAD_ID", `id "${s.id}" must match ${ID_PATTERN}`);
  const source = parseSource(s.source);
  if (typeof source === "string") bad("source", "BAD_SOURCE", source);
  const opt = (prop: string, text: string): URL | undefined => {
    if (text === "") return undefined;
    const u = parseSource(text);
    if (typeof u === "string") {
      bad(prop, "BAD_SOURCE", u);
      return undefined;
    }
    return u;
  };
  const kernel = opt("kernel", s.kernel);
  const initrd = opt("initrd", s.initrd);
  if (initrd && !kernel) bad("initrd", "INITRD_WITHOUT_KERNEL", "an initrd needs a kernel");
  if (s.cmdline !== "" && !kernel)
    bad("cmdline", "CMDLINE_WITHOUT_KERNEL", "a kernel command line needs a kernel");
  const sha = s.sha256.toLowerCase();
  if (sha !== "" && !/^[0-9a-f]{64}$/.test(sha))
    bad("sha256", "BAD_SHA256", "must be 64 hexadecimal characters");
  if (s.format !== "" && !(FORMATS as readonly string[]).includes(s.format))
    bad("format", "BAD_FORMAT", `format "${s.format}" is not qcow2 or raw`);
  const arch = (s.arch || resources.Image.props.arch.default) as Arch;
  if (!(ARCHES as readonly string[]).includes(arch))
    bad("arch", "BAD_ARCH", `arch "${s.arch}" is not x86_64 or aarch64`);
  const firmware = (s.firmware || (arch === "aarch64" ? "uefi" : "bios")) as Firmware;
  if (!(FIRMWARES as readonly string[]).includes(firmware))
    bad("firmware", "BAD_FIRMWARE", `firmware "${s.firmware}" is not bios or uefi`);
  else if (arch === "aarch64" && firmware !== "uefi")
    bad("firmware", "AARCH64_NEEDS_UEFI", "aarch64 guests boot with uefi firmware only");
  if (v.length > 0 || typeof source === "string") return { violations: v };
  return {
    violations: v,
    image: {
      id: s.id,
      source,
      sha256: sha,
      format: s.format as DiskFormat | "",
      kernel,
      initrd,
      cmdline: s.cmdline,
      arch,
      firmware,
      owner: s.owner,
    },
  };
}
