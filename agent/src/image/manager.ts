// The image store: content-addressed blobs (images/blobs/<sha256>) plus one record per image id in
// the state. Two images with the same bytes share a blob; a blob goes when nothing references it.
import * as fs from "node:fs/promises";
import type { StatePaths } from "../constants";
import { QvmdError, notFound, stateCorrupt, violationsError } from "../errors";
import type { ImageRecord, StateStore } from "../state";
import type { Caller } from "../peer/creds";
import { KeyedMutex, Mutex } from "../util/lock";
import { downloaded, type Fetched, keepParts, partFile, uploaded } from "./acquire";
import type { ImageHost } from "./host";
import { type ImageSpec, type ResolvedImage, resolveImage } from "./spec";
import { keepUpload, lapsedUploads, type Received, uploadKey } from "./upload";
import { isDeepStrictEqual } from "node:util";

export interface ImageStatus {
  image: ResolvedImage;
  record: ImageRecord;
  path: string;
  kernelPath?: string;
  initrdPath?: string;
}

export class Images {
  /** The store's bookkeeping: records, renames into blobs/, gc, uploads. Never held across a download. */
  private readonly lock = new Mutex("images");
  private readonly ids = new KeyedMutex("image");

  constructor(
    private readonly p: StatePaths,
    private readonly state: StateStore,
    /** Downloads within the admin's policy, and the inspection of stored blobs (host.ts). */
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

  /** Keeps the bytes of an UploadBlob, under the store's lock so gc cannot take them meanwhile. */
  keepUpload(r: Received, caller: Caller): Promise<void> {
    return this.lock.run(() => keepUpload(this.p, this.state, r, caller));
  }

  /**
   * Calls on one image id run one at a time. The store's lock (which gc, uploads and every other
   * image's bookkeeping share) is held only for bookkeeping, never across a download (finding 9).
   */
  apply(
    spec: ImageSpec,
    onProgress: (message: string, done: number, total: number) => void,
    caller: Caller,
    /** The call was cancelled: a download in progress stops (the bytes are not kept). */
    cancelled?: AbortSignal,
  ): Promise<ImageStatus> {
    const { image, violations } = resolveImage(spec);
    if (!image) return Promise.reject(violationsError(violations));
    return this.ids.run(image.id, async () => {
      const kept = await this.lock.run(() => this.reuseLocked(image, spec, caller));
      if (kept) return kept;
      const parts: string[] = [];
      try {
        const wanted = [
          { url: image.source, property: "source", expected: image.sha256, what: image.source.href },
          ...(image.kernel ? [{ url: image.kernel, property: "kernel", expected: "", what: "kernel" }] : []),
          ...(image.initrd ? [{ url: image.initrd, property: "initrd", expected: "", what: "initrd" }] : []),
        ];
        const got: Fetched[] = [];
        for (const { url, property, expected, what } of wanted) {
          const upload = uploaded(url, property, expected);
          if (upload) {
            got.push(upload);
            continue;
          }
          const tmp = await partFile(this.p, parts);
          const progress = (d: number, t: number) => onProgress(`downloading ${what}`, d, t);
          const { sha256 } = await this.host.fetch(url, tmp, progress, property, cancelled);
          got.push(downloaded(url, property, expected, sha256, tmp));
        }
        return await this.lock.run(() =>
          this.recordLocked(image, spec, caller, got).catch(async (e: unknown) => {
            // Whatever was kept is referenced by nothing: gc removes it before the error returns.
            await this.gcLocked();
            throw e;
          }),
        );
      } finally {
        for (const t of parts) await fs.rm(t, { force: true });
      }
    });
  }

  /** Same bytes as recorded (source, digest, kernel, initrd) and all present: only how they boot changes. */
  private async reuseLocked(
    image: ResolvedImage,
    spec: ImageSpec,
    caller: Caller,
  ): Promise<ImageStatus | undefined> {
    const existing = this.state.images[image.id];
    const old = existing ? resolveImage(existing.spec).image : undefined;
    const sameBytes =
      old !== undefined &&
      old.source.href === image.source.href &&
      old.sha256 === image.sha256 &&
      old.kernel?.href === image.kernel?.href &&
      old.initrd?.href === image.initrd?.href &&
      old.arch === image.arch &&
      (image.format === "" || image.format === existing!.format);
    if (!existing || !sameBytes) return undefined;
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
    if (!present.every(Boolean)) return undefined;
    const held = blobs.map((b) => uploadKey(caller.uid, b)).filter((k) => this.state.uploads[k]);
    if (!isDeepStrictEqual(old, image) || held.length > 0)
      await this.state.update((d) => {
        d.images[image.id] = { ...existing, spec };
        // The image holds these blobs: a fresh upload of them has served its purpose.
        for (const k of held) delete d.uploads[k];
      });
    return this.status(image.id, this.state.images[image.id]!);
  }

  private async recordLocked(
    image: ResolvedImage,
    spec: ImageSpec,
    caller: Caller,
    got: Fetched[],
  ): Promise<ImageStatus> {
    await keepParts(this.p, this.state, got, caller);
    const [source, ...rest] = got;
    const sha256 = source!.sha256;
    const info = await this.host
      .inspect(this.p.blob(sha256), "source")
      .then((i) => {
        if (image.format !== "" && image.format !== i.format)
          throw new QvmdError(
            "invalid",
            "IMAGE_FORMAT_MISMATCH",
            `format is ${image.format} but the source is ${i.format}`,
            {
              property: "format",
            },
          );
        return i;
      })
      .catch(async (e: unknown) => {
        // Refused bytes are not held for anyone: the caller's upload of them is forgotten too.
        const held = uploadKey(caller.uid, sha256);
        if (this.state.uploads[held])
          await this.state.update((d) => {
            delete d.uploads[held];
          });
        throw e;
      });
    const kernelSha256 = rest.find((g) => g.property === "kernel")?.sha256;
    const initrdSha256 = rest.find((g) => g.property === "initrd")?.sha256;
    const st = await fs.stat(this.p.blob(sha256));
    const existing = this.state.images[image.id];
    const record: ImageRecord = {
      spec,
      uid: existing ? existing.uid : caller.uid,
      sha256,
      format: info.format,
      sizeBytes: st.size,
      virtualSizeBytes: info.virtualSizeBytes,
      kernelSha256,
      initrdSha256,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    await this.state.update((d) => {
      d.images[image.id] = record;
      // The image holds its blobs now: the caller's uploads of them have served their purpose.
      for (const b of [sha256, kernelSha256, initrdSha256]) if (b) delete d.uploads[uploadKey(caller.uid, b)];
    });
    await this.gcLocked();
    return this.status(image.id, record);
  }

  delete(id: string): Promise<boolean> {
    return this.ids.run(id, () =>
      this.lock.run(async () => {
        const existed = this.state.images[id] !== undefined;
        if (existed)
          await this.state.update((d) => {
            delete d.images[id];
          });
        await this.gcLocked();
        return existed;
      }),
    );
  }

  /** Removes blobs no image, instance or upload hold references. */
  gc(): Promise<void> {
    return this.lock.run(() => this.gcLocked());
  }

  private async gcLocked(): Promise<void> {
    // With no readable state every blob looks unused: unknown is not absent, keep them all.
    if (this.state.unreadable) return;
    const lapsed = lapsedUploads(this.state);
    if (lapsed.length > 0)
      await this.state.update((d) => {
        for (const k of lapsed) delete d.uploads[k];
      });
    const used = new Set<string>();
    for (const u of Object.values(this.state.uploads)) used.add(u.sha256);
    for (const r of Object.values(this.state.images))
      for (const b of [r.sha256, r.kernelSha256, r.initrdSha256]) if (b) used.add(b);
    for (const r of Object.values(this.state.instances)) for (const b of r.blobs) used.add(b);
    // A template's disk layer is backed by its image's blob, and its clones' by the template's.
    for (const r of Object.values(this.state.templates)) for (const b of r.blobs) used.add(b);
    const names = await fs.readdir(this.p.blobsDir).catch(() => [] as string[]);
    for (const n of names) if (!used.has(n)) await fs.rm(this.p.blob(n), { force: true });
  }

  /** The images among `only`, as GetImage reports them, by id. */
  list(only: ReadonlySet<string>): ImageStatus[] {
    return Object.keys(this.state.images)
      .filter((id) => only.has(id))
      .sort()
      .map((id) => this.get(id));
  }
}
