// What the server asks before a manager runs: may this caller act on the object (owners.ts), build
// on the objects it names, hold one more (quotas.ts), and is an object about to be deleted still
// used. Reads the state only; a refused call changes nothing.
import type { z } from "zod";
import type { Config } from "../config";
import { QvmdError } from "../errors";
import type { instanceSpecShape } from "../instance/spec";
import type { Caller } from "../peer/creds";
import type { StateStore } from "../state";
import { assertMayAct, assertMayUse, type Kind, mayAct as mayActOn, visibleTo } from "./owners";
import { assertWithinQuota, instanceUsage, templateUsage, type Usage, usageOf } from "./quotas";

/** The record of `id` in one of the state's maps, if any (never an inherited property). */
const recordOf = <R>(map: Readonly<Record<string, R>>, id: unknown): R | undefined =>
  typeof id === "string" && Object.hasOwn(map, id) ? map[id] : undefined;

/** Kinds a caller may build on when root owns them: their listings show root's too. */
const sharedKinds: ReadonlySet<Kind> = new Set<Kind>(["network", "image", "bridge"]);

type Counted = "networks" | "images" | "instances" | "bridges" | "dnsForwarders";

export function accessRules(state: StateStore, quotas: Config["quotas"]) {
  type Owned = Readonly<Record<string, { uid?: number }>>;
  const maps: Record<Kind, () => Owned> = {
    network: () => state.networks,
    image: () => state.images,
    instance: () => state.instances,
    template: () => state.templates,
    bridge: () => state.bridges,
    "DNS forwarder": () => state.dnsForwarders,
  };
  const mayUse = (c: Caller, kind: Kind, id: string, property: string) =>
    id !== "" && assertMayUse(c, kind, id, recordOf(maps[kind](), id), property);
  return {
    /** NOT_OWNER unless `c` may read, change or delete `kind` `id` (absent: anyone may create it). */
    mayAct: (c: Caller, kind: Kind, id: string) => assertMayAct(c, kind, id, recordOf(maps[kind](), id)),
    mayUse,
    /** The image, networks and bridges an instance names must be the caller's or root's. */
    instanceRefs(c: Caller, spec: z.output<typeof instanceSpecShape>) {
      mayUse(c, "image", spec.image_id, "imageId");
      mayUse(c, "template", spec.template_id, "templateId");
      for (const [i, n] of spec.nics.entries()) {
        mayUse(c, "network", n.network_id, `networks[${i}].networkId`);
        mayUse(c, "bridge", n.bridge_id, `networks[${i}].bridgeId`);
      }
    },
    /** QUOTA_EXCEEDED when one more `kind` (unless `id` exists) plus `adding` passes a quota. */
    quota(c: Caller, kind: Counted, id: string, adding: Partial<Usage> = {}) {
      const exists = recordOf(state[kind] as Readonly<Record<string, unknown>>, id) !== undefined;
      assertWithinQuota(c, quotas, usageOf(state, c.uid, { kind, id }), {
        [kind]: exists ? 0 : 1,
        ...adding,
      });
    },
    instanceUsage: (spec: z.output<typeof instanceSpecShape>) => instanceUsage(state, spec),
    /**
     * The ids of `kind` a List shows `c`: all for root; else its own, plus root's of the kinds it
     * may build on (networks, images, bridges: the ids it may name), as api/qvmd.proto says.
     */
    listed(c: Caller, kind: Kind): Set<string> {
      const all = Object.entries(maps[kind]());
      const shown = sharedKinds.has(kind) ? visibleTo(c, all) : all.filter(([, r]) => mayActOn(c, r));
      return new Set(shown.map(([id]) => id));
    },
    /** QUOTA_EXCEEDED when the template (built again or new) passes the instance, memory or disk quota. */
    templateQuota(c: Caller, spec: { id: string; image_id: string; memory_mb: number }) {
      assertWithinQuota(c, quotas, usageOf(state, c.uid, { kind: "templates", id: spec.id }), {
        instances: 1,
        ...templateUsage(state, spec),
      });
    },
    /** Fails when an instance has a NIC on the network or bridge (asked inside the topology step). */
    unused: (field: "network_id" | "bridge_id", id: string) => () => {
      const users = Object.entries(state.instances)
        .filter(([, r]) => (r.spec.nics ?? []).some((n) => n[field] === id))
        .map(([i]) => i);
      if (users.length > 0)
        throw new QvmdError(
          "precondition",
          field === "network_id" ? "NET_IN_USE" : "BRIDGE_IN_USE",
          `${field === "network_id" ? "network" : "bridge"} ${id} is used by instance(s) ${users.join(", ")}`,
          { hint: "delete the instances first" },
        );
    },
  };
}
