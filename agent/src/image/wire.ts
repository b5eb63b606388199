// An image as the API reports it: the spec in effect and the stored blobs, as the proto message.
import type { wire } from "@pulumi-qemu/api";
import type { ImageStatus } from "./manager";

export function imageToWire(s: ImageStatus): wire.Image {
  const i = s.image;
  return {
    spec: {
      id: i.id,
      source: i.source.href,
      sha256: i.sha256,
      format: s.record.format,
      kernel: i.kernel?.href ?? "",
      initrd: i.initrd?.href ?? "",
      cmdline: i.cmdline,
      arch: i.arch,
      firmware: i.firmware,
      owner: i.owner,
    },
    path: s.path,
    sha256: s.record.sha256,
    size_bytes: s.record.sizeBytes,
    virtual_size_bytes: s.record.virtualSizeBytes,
    kernel_path: s.kernelPath ?? "",
    initrd_path: s.initrdPath ?? "",
  };
}
