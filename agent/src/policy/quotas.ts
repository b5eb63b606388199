// Per-uid quotas (config.quotas): what one non-root uid may hold at once, counted from the state
// (its objects) plus what the call would add or change. Pure: the server checks before a manager
// runs, so a refused call changes nothing.
import type { Config } from "../config";
import { QvmdError } from "../errors";
import type { Caller } from "../peer/creds";
import type { StateStore } from "../state";
import { ownerOf } from "./owners";

export type Quotas = Config["quotas"];
export type Usage = { [K in keyof Quotas]: number };

const GiB = 1024 ** 3;
const DEFAULT_MEMORY_MB = 512;

type View = Pick<StateStore, "networks" | "images" | "instances" | "bridges" | "dnsForwarders">;

/** What `uid` holds, leaving out the object `except` (the one being applied). */
export function usageOf(state: View, uid: number, except?: { kind: keyof Usage; id: string }): Usage {
  const mine = <R extends { uid?: number }>(kind: keyof Usage, m: Readonly<Record<string, R>>) =>
    Object.entries(m).filter(([id, r]) => ownerOf(r) === uid && !(except?.kind === kind && except.id === id));
  const instances = mine("instances", state.instances);
  return {
    instances: instances.length,
    memoryMb: instances.reduce((a, [, r]) => a + (r.spec.memory_mb || DEFAULT_MEMORY_MB), 0),
    diskGb: instances.reduce((a, [, r]) => a + r.diskGb, 0),
    networks: mine("networks", state.networks).length,
    images: mine("images", state.images).length,
    bridges: mine("bridges", state.bridges).length,
    dnsForwarders: mine("dnsForwarders", state.dnsForwarders).length,
  };
}

/** What an instance spec would hold: its memory and its disk (the image's size when 0). */
export function instanceUsage(
  state: View,
  spec: { image_id: string; memory_mb: number; disk_gb: number },
): Pick<Usage, "memoryMb" | "diskGb"> {
  const image = Object.hasOwn(state.images, spec.image_id) ? state.images[spec.image_id] : undefined;
  const diskGb = spec.disk_gb || Math.max(1, Math.ceil((image?.virtualSizeBytes ?? 0) / GiB));
  return { memoryMb: spec.memory_mb || DEFAULT_MEMORY_MB, diskGb };
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
