// The image as an instance's plan sees it (plan.ts is a plain function of these facts).
import type { ImageStatus } from "../image/manager";
import type { Arch } from "../qemu/argv";

/** The image as an instance uses it: its blobs and how it boots. */
export interface ImageFacts {
  path: string;
  format: string;
  sha256: string;
  kernelSha256?: string;
  initrdSha256?: string;
  virtualSizeBytes: number;
  kernelPath?: string;
  initrdPath?: string;
  arch: Arch;
  firmware: "bios" | "uefi";
  cmdline: string;
}

/** What of an image an instance uses. */
export const imageFacts = (s: ImageStatus): ImageFacts => ({
  path: s.path,
  format: s.record.format,
  sha256: s.record.sha256,
  kernelSha256: s.record.kernelSha256,
  initrdSha256: s.record.initrdSha256,
  virtualSizeBytes: s.record.virtualSizeBytes,
  kernelPath: s.kernelPath,
  initrdPath: s.initrdPath,
  arch: s.image.arch,
  firmware: s.image.firmware,
  cmdline: s.image.cmdline,
});
