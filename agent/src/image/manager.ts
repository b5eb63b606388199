// The image store: content-addressed blobs (images/blobs/<sha256>) plus one record per image id in
// the state. Two images with the same bytes share a blob; a blob goes when nothing references it.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { StatePaths } from "../constants";
import { QvmdError, notFound, stateCorrupt, violationsError } from "../errors";
import type { ImageRecord, StateStore } from "../state";
import { Mutex } from "../util/lock";
import type { OnProgress } from "./fetch";
import type { ImageHost } from "./host";
import { type ImageSpec, type ResolvedImage, resolveImage } from "./spec";
import { isDeepStrictEqual } from "node:util";

export interface ImageStatus {
  image: ResolvedImage;
  record: ImageRecord;
  path: string;
  kernelPath?: string;
  initrdPath?: string;
}

export class Images {
  private readonly lock = new Mutex();

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    private readonly host: ImageHost,
  ) {}

  private status(id: string, rec: ImageRecord): ImageStatus {
    const { image } = resolveImage(rec.spec);
    if (!image) throw stateCorrupt("image", id);
    return {
      image,
      record: rec,
      path: this.p.blob(rec.sha256),
      kernelPath: rec.kernelSha256 ? this.p.blob(rec.kernelSha256) : undefined,
      initrdPath: rec.initrdSha256 ? this.p.blob(rec.initrdSha256) : undefined,
    };
  }

  get(id: string): ImageStatus {
    const rec = this.state.images[id];
    if (!rec) throw notFound("IMAGE_NOT_FOUND", `image ${id} does not exist`);
    return this.status(id, rec);
  }

  has(id: string): boolean {
    return this.state.images[id] !== undefined;
  }

  /** Downloads into the store; the blob name is the digest of what was actually stored. */
  private async fetchBlob(
    url: URL,
    property: string,
    expected: string,
    onProgress: OnProgress,
  ): Promise<string> {
    await fs.mkdir(this.p.downloadsDir, { recursive: true });
    await fs.mkdir(this.p.blobsDir, { recursive: true });
    const tmp = path.join(this.p.downloadsDir, `${randomBytes(6).toString("hex")}.part`);
    try {
      const { sha256 } = await this.host.fetch(url, tmp, onProgress);
      if (expected !== "" && sha256 !== expected)
        throw new QvmdError(
          "invalid",
          "IMAGE_SHA256_MISMATCH",
          `${url.href} has sha256 ${sha256}, expected ${expected}`,
          {
            property: "sha256",
            hint: `fix sha256 or ${property}; nothing was kept`,
          },
        );
      await fs.rename(tmp, this.p.blob(sha256));
      return sha256;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  apply(
    spec: ImageSpec,
    onProgress: (message: string, done: number, total: number) => void,
  ): Promise<ImageStatus> {
    return this.lock.run(async () => {
      const { image, violations } = resolveImage(spec);
      if (!image) throw violationsError(violations);
      const existing = this.state.images[image.id];
      const old = existing ? resolveImage(existing.spec).image : undefined;
      // Same bytes (source, digest, kernel, initrd): only how they boot changed; no new fetch.
      const sameBytes =
        old !== undefined &&
        old.source.href === image.source.href &&
        old.sha256 === image.sha256 &&
        old.kernel?.href === image.kernel?.href &&
        old.initrd?.href === image.initrd?.href &&
        old.arch === image.arch &&
        (image.format === "" || image.format === existing!.format);
      if (existing && sameBytes) {
        const blobs = [existing.sha256, existing.kernelSha256, existing.initrdSha256].filter(
          (x): x is string => !!x,
        );
        const present = await Promise.all(
          blobs.map((b) =>
            fs.stat(this.p.blob(b)).then(
              () => true,
              () => false,
            ),
          ),
        );
        if (present.every(Boolean)) {
          if (!isDeepStrictEqual(old, image))
            await this.state.update((d) => {
              d.images[image.id] = { ...existing, spec };
            });
          return this.status(image.id, this.state.images[image.id]!);
        }
      }
      const sha256 = await this.fetchBlob(image.source, "source", image.sha256, (d, t) =>
        onProgress(`downloading ${image.source.href}`, d, t),
      );
      const info = await this.host.imageInfo(this.p.blob(sha256));
      // A qcow2 naming a backing file could make QEMU read any file on the host.
      if (info["backing-filename"])
        throw new QvmdError(
          "invalid",
          "IMAGE_HAS_BACKING_FILE",
          `image refers to a backing file (${info["backing-filename"]}); flatten it first`,
          {
            property: "source",
            hint: "qemu-img convert -O qcow2 in.qcow2 out.qcow2",
          },
        );
      const detected = info.format === "qcow2" ? "qcow2" : "raw";
      if (image.format !== "" && image.format !== detected)
        throw new QvmdError(
          "invalid",
          "IMAGE_FORMAT_MISMATCH",
          `format is ${image.format} but qemu-img reads the source as ${info.format}`,
          {
            property: "format",
          },
        );
      const kernelSha256 = image.kernel
        ? await this.fetchBlob(image.kernel, "kernel", "", (d, t) => onProgress("downloading kernel", d, t))
        : undefined;
      const initrdSha256 = image.initrd
        ? await this.fetchBlob(image.initrd, "initrd", "", (d, t) => onProgress("downloading initrd", d, t))
        : undefined;
      const st = await fs.stat(this.p.blob(sha256));
      const record: ImageRecord = {
        spec,
        sha256,
        format: detected,
        sizeBytes: st.size,
        virtualSizeBytes: info["virtual-size"],
        kernelSha256,
        initrdSha256,
        createdAt: existing?.createdAt ?? new Date().toISOString(),
      };
      await this.state.update((d) => {
        d.images[image.id] = record;
      });
      await this.gc();
      return this.status(image.id, record);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.lock.run(async () => {
      const existed = this.state.images[id] !== undefined;
      if (existed)
        await this.state.update((d) => {
          delete d.images[id];
        });
      await this.gc();
      return existed;
    });
  }

  /** Removes blobs no image record and no instance references. */
  async gc(): Promise<void> {
    const used = new Set<string>();
    for (const r of Object.values(this.state.images))
      for (const b of [r.sha256, r.kernelSha256, r.initrdSha256]) if (b) used.add(b);
    for (const r of Object.values(this.state.instances)) for (const b of r.blobs) used.add(b);
    const names = await fs.readdir(this.p.blobsDir).catch(() => [] as string[]);
    for (const n of names) if (!used.has(n)) await fs.rm(this.p.blob(n), { force: true });
  }
}
