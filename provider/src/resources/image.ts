// qemu:index:Image — an image in qvmd's content-addressed store. Images are immutable: any input
// change replaces the resource (the old blob goes once no instance uses it).
import { z } from "zod";
import { type Image } from "@pulumi-qemu/api";
import { parseSource } from "@pulumi-qemu/api/validate";
import { UNKNOWN, type Props } from "../props";
import { lifecycle, shapeCheck } from "./common";
import type { Ctx, ResourceHandler } from "./types";

const url = z.string().superRefine((s, ctx) => {
  const u = parseSource(s);
  if (typeof u === "string") ctx.addIssue({ code: "custom", message: u });
});

const inputsShape = z
  .object({
    source: url,
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hexadecimal characters")
      .optional(),
    format: z.enum(["qcow2", "raw"]).optional(),
    kernel: url.optional(),
    initrd: url.optional(),
    cmdline: z.string().max(4096).optional(),
    arch: z.enum(["x86_64", "aarch64"]).default("x86_64"),
    firmware: z.enum(["bios", "uefi"]).optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.arch === "aarch64" && i.firmware === "bios")
      ctx.addIssue({ code: "custom", path: ["firmware"], message: "aarch64 guests boot with uefi only" });
    if ((i.initrd || i.cmdline) && !i.kernel)
      ctx.addIssue({ code: "custom", path: ["kernel"], message: "initrd and cmdline need a kernel" });
  });
type Inputs = z.infer<typeof inputsShape>;

// What names the bytes replaces the image; how they are booted (format, cmdline, firmware) does not.
const REPLACE_ON = ["source", "sha256", "kernel", "initrd", "arch"];

function outputs(inputs: Props, i: Image): Props {
  return {
    ...inputs,
    path: i.path,
    format: i.spec!.format,
    sha256: i.sha256,
    sizeBytes: Number(i.size_bytes),
    virtualSizeBytes: Number(i.virtual_size_bytes),
    kernelPath: i.kernel_path,
    initrdPath: i.initrd_path,
    arch: i.spec!.arch,
    firmware: i.spec!.firmware,
  };
}

async function apply(ctx: Ctx, id: string, inputs: Props): Promise<Props> {
  const i = inputsShape.parse(inputs) as Inputs;
  const agent = await ctx.agent();
  let last = 0;
  const img = await agent.applyImage(
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
    (p) => {
      if (Date.now() - last < 500) return;
      last = Date.now();
      const total = Number(p.total);
      ctx.progress(
        total > 0
          ? `${p.message}: ${Math.floor((Number(p.done) * 100) / total)}%`
          : `${p.message}: ${Number(p.done)} bytes`,
      );
    },
    ctx.timeoutMs,
  );
  return outputs(inputs, img);
}

export const image: ResourceHandler = {
  replaceOn: REPLACE_ON,

  check: shapeCheck(inputsShape),

  preview: (inputs) => ({
    ...inputs,
    path: UNKNOWN,
    format: inputs.format ?? UNKNOWN,
    sha256: UNKNOWN,
    sizeBytes: UNKNOWN,
    virtualSizeBytes: UNKNOWN,
    kernelPath: UNKNOWN,
    initrdPath: UNKNOWN,
    firmware: inputs.firmware ?? UNKNOWN,
  }),

  ...lifecycle({
    notFound: "IMAGE_NOT_FOUND",
    apply,
    get: (agent, id) => agent.getImage(id),
    outputs,
    importInputs: (img) => ({ source: img.spec!.source, arch: img.spec!.arch }),
    remove: (agent, id) => agent.deleteImage(id),
  }),
};
