// An image on the wire: the shape of its requests, and an image as the API reports it.
import type { wire } from "@pulumi-qemu/api";
import { z } from "zod";
import { parseRequest } from "../errors";
import type { ImageStatus } from "./manager";
import { type ImageSpec, imageSpecShape } from "./spec";

const specRequest = z.object({ spec: imageSpecShape });

/** ApplyImage: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): ImageSpec => parseRequest(specRequest, req).spec;

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
