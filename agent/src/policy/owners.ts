// Objects belong to the uid that created them (recorded in state with the object). Root may act
// on any object; any other uid only on its own, and may build only on its own objects or root's
// (an instance on a network, image or bridge; a DNS forwarder on a network). Pure: the server
// applies these before a manager runs.
import { QvmdError } from "../errors";
import { type Caller, ROOT_UID } from "../peer/creds";

/** What every record carries; a record from before ownership has no uid and is root's. */
export interface Owned {
  uid?: number;
}

export const ownerOf = (rec: Owned) => rec.uid ?? ROOT_UID;

/** Whether `caller` may read, change or delete the object (root: always). */
export const mayAct = (caller: Caller, rec: Owned | undefined) =>
  rec === undefined || caller.uid === ROOT_UID || ownerOf(rec) === caller.uid;

/** Whether `caller` may build on the object: its own, or root's (shared by the admin). */
export const mayUse = (caller: Caller, rec: Owned) =>
  caller.uid === ROOT_UID || ownerOf(rec) === caller.uid || ownerOf(rec) === ROOT_UID;

export type Kind = "network" | "image" | "instance" | "template" | "bridge" | "DNS forwarder";

/** Throws NOT_OWNER when `caller` may not act on the existing object `kind` `id`. */
export function assertMayAct(caller: Caller, kind: Kind, id: string, rec: Owned | undefined): void {
  if (!mayAct(caller, rec))
    throw new QvmdError(
      "denied",
      "NOT_OWNER",
      `${kind} ${id} belongs to uid ${ownerOf(rec!)}; uid ${caller.uid} may not read, change or delete it`,
      { property: "id", hint: "choose another id, or ask its owner or root" },
    );
}

/** Throws NOT_OWNER when `caller` may not build on `kind` `id` (named by `property`). */
export function assertMayUse(
  caller: Caller,
  kind: Kind,
  id: string,
  rec: Owned | undefined,
  property: string,
): void {
  if (rec !== undefined && !mayUse(caller, rec))
    throw new QvmdError(
      "denied",
      "NOT_OWNER",
      `${kind} ${id} belongs to uid ${ownerOf(rec)}; uid ${caller.uid} may use only its own or root's`,
      { property },
    );
}

/** The records `caller` may see in a listing: all for root, else its own and root's. */
export const visibleTo = <R extends Owned>(caller: Caller, recs: Array<[string, R]>) =>
  recs.filter(([, r]) => mayUse(caller, r));
