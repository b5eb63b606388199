// Per-uid quotas (config.quotas): what one non-root uid may hold at once, counted from the state
// (its objects) plus what the call would add or change. Pure: the server checks before a manager
// runs, so a refused call changes nothing. An InstanceTemplate counts as an instance (it is a VM
// while it builds, and a saved one after) with its memory, and with its disk layer plus its memory
// file as disk; a clone counts its template's memory and disk size.
import { resources } from "@pulumi-qemu/api";
import type { Config } from "../config";
import { QvmdError } from "../errors";
import type { Caller } from "../peer/creds";
import type { StateStore } from "../state";
import { ownerOf } from "./owners";

export type Quotas = Config["quotas"];
export type Usage = { [K in keyof Quotas]: number };

const GiB = 1024 ** 3;
const DEFAULT_MEMORY_MB = 512;
const TEMPLATE_MEMORY_MB = resources.MEMORY_MB.default;

type View = Pick<StateStore, "networks" | "images" | "instances" | "bridges" | "dnsForwarders" | "templates">;
type Kind = keyof Usage | "templates";

const recordOf = <R>(map: Readonly<Record<string, R>>, id: string): R | undefined =>
  id !== "" && Object.hasOwn(map, id) ? map[id] : undefined;

/** The image's virtual size in whole GiB (at least 1). */
const imageGb = (state: View, imageId: string) =>
  Math.max(1, Math.ceil((recordOf(state.images, imageId)?.virtualSizeBytes ?? 0) / GiB));

/** A template's disk: its layer (the image's size) plus its memory file, both in qvmd's store. */
const templateDiskGb = (diskGb: number, memoryMb: number) => diskGb + Math.ceil(memoryMb / 1024);

/** What `uid` holds, leaving out the object `except` (the one being applied). */
export function usageOf(state: View, uid: number, except?: { kind: Kind; id: string }): Usage {
  const mine = <R extends { uid?: number }>(kind: Kind, m: Readonly<Record<string, R>>) =>
    Object.entries(m).filter(([id, r]) => ownerOf(r) === uid && !(except?.kind === kind && except.id === id));
  const instances = mine("instances", state.instances);
  const templates = mine("templates", state.templates ?? {});
  const memoryOf = (spec: { memory_mb: number; template_id?: string }) =>
    recordOf(state.templates ?? {}, spec.template_id ?? "")?.machine.memoryMb ??
    (spec.memory_mb || DEFAULT_MEMORY_MB);
  return {
    instances: instances.length + templates.length,
    memoryMb:
      instances.reduce((a, [, r]) => a + memoryOf(r.spec), 0) +
      templates.reduce((a, [, t]) => a + t.machine.memoryMb, 0),
    diskGb:
      instances.reduce((a, [, r]) => a + r.diskGb, 0) +
      templates.reduce(
        (a, [, t]) => a + templateDiskGb(t.diskGb ?? imageGb(state, t.imageId), t.machine.memoryMb),
        0,
      ),
    networks: mine("networks", state.networks).length,
    images: mine("images", state.images).length,
    bridges: mine("bridges", state.bridges).length,
    dnsForwarders: mine("dnsForwarders", state.dnsForwarders).length,
  };
}

/**
 * What an instance spec would hold: its memory and its disk (the image's size when 0); a clone's
 * are its template's.
 */
export function instanceUsage(
  state: View,
  spec: { image_id: string; memory_mb: number; disk_gb: number; template_id?: string },
): Pick<Usage, "memoryMb" | "diskGb"> {
  const tpl = recordOf(state.templates ?? {}, spec.template_id ?? "");
  if (tpl) return { memoryMb: tpl.machine.memoryMb, diskGb: tpl.diskGb ?? imageGb(state, tpl.imageId) };
  return {
    memoryMb: spec.memory_mb || DEFAULT_MEMORY_MB,
    diskGb: spec.disk_gb || imageGb(state, spec.image_id),
  };
}

/** What a template spec would hold: one instance, its memory, its disk layer and memory file. */
export function templateUsage(state: View, spec: { image_id: string; memory_mb: number }): Partial<Usage> {
  const memoryMb = spec.memory_mb || TEMPLATE_MEMORY_MB;
  return { memoryMb, diskGb: templateDiskGb(imageGb(state, spec.image_id), memoryMb) };
}

const PROPERTY: { [K in keyof Usage]: string } = {
  instances: "id",
  memoryMb: "memoryMb",
  diskGb: "diskGb",
  networks: "id",
  images: "id",
  bridges: "id",
  dnsForwarders: "id",
};

/** Throws QUOTA_EXCEEDED when `used` plus `adding` passes a quota of a non-root caller. */
export function assertWithinQuota(caller: Caller, quotas: Quotas, used: Usage, adding: Partial<Usage>): void {
  if (caller.uid === 0) return;
  for (const [k, n] of Object.entries(adding) as Array<[keyof Usage, number]>) {
    if (used[k] + n > quotas[k])
      throw new QvmdError(
        "denied",
        "QUOTA_EXCEEDED",
        `uid ${caller.uid} would hold ${used[k] + n} of ${k} (${used[k]} now); its quota is ${quotas[k]}`,
        { property: PROPERTY[k], hint: `free some, or ask the admin (quotas.${k} in qvmd's config)` },
      );
  }
}
