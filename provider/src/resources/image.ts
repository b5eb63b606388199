// qemu:index:Image: inputs -> ImageSpec -> outputs. Declared in api/src/resources/image.ts: what
// names the bytes (source, sha256, kernel, initrd, arch) replaces the image; format, cmdline and
// firmware change in place.
import { type Image, resources } from "@pulumi-qemu/api";
import { defineResource } from "./define";
import type { Ctx } from "./types";

type Inputs = resources.InputsOf<typeof resources.Image.props>;

/** Download progress as a percentage (or bytes), at most twice a second. */
function progress(ctx: Ctx) {
  let last = 0;
  return (p: { message: string; done: number; total: number }) => {
    if (Date.now() - last < 500) return;
    last = Date.now();
    const total = Number(p.total);
    ctx.progress(
      total > 0
        ? `${p.message}: ${Math.floor((Number(p.done) * 100) / total)}%`
        : `${p.message}: ${Number(p.done)} bytes`,
    );
  };
}

export const image = defineResource<Inputs, Image>({
  decl: resources.Image,
  apply: async (ctx, id, i) =>
    (await ctx.agent()).applyImage(
      {
        id,
        source: i.source,
        sha256: i.sha256?.toLowerCase() ?? "",
        format: i.format ?? "",
        kernel: i.kernel ?? "",
        initrd: i.initrd ?? "",
        cmdline: i.cmdline ?? "",
        arch: i.arch,
        firmware: i.firmware ?? "",
        owner: ctx.urn,
      },
      progress(ctx),
      ctx.timeoutMs,
    ),
  get: (agent, id) => agent.getImage(id),
  remove: (agent, id) => agent.deleteImage(id),
  outputs: (i) => ({
    path: i.path,
    format: i.spec!.format,
    sha256: i.sha256,
    sizeBytes: Number(i.size_bytes),
    virtualSizeBytes: Number(i.virtual_size_bytes),
    kernelPath: i.kernel_path,
    initrdPath: i.initrd_path,
    arch: i.spec!.arch,
    firmware: i.spec!.firmware,
  }),
  importInputs: (img) => ({ source: img.spec!.source, arch: img.spec!.arch }),
});
