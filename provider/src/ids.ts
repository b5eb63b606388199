// Resource ids and the partial create. qvmd keys every object by an id the provider chooses, so a
// create whose answer was lost (qvmd or the CLI died mid-call) can only be found again if the next
// create chooses the same id: ids derive from the stack's provider (its id is a random UUID the
// engine assigns once per stack and keeps in the state) and the resource's URN. And when a create's
// outcome is unknown, the engine must still learn the id: Pulumi's partial create (an
// ErrorResourceInitFailed detail) records the resource, and the next `up` updates it.
import * as grpc from "@grpc/grpc-js";
import { createHash, randomBytes } from "node:crypto";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import * as status_pb from "@pulumi/pulumi/proto/status_pb";
import { toStruct, UNKNOWN, type Props } from "./props";

/**
 * 8 hex characters (qvmd's ids are ^[a-z0-9]{1,8}$ so kernel names fit 15 characters). Random when
 * the engine did not tell the provider its id (then a lost create cannot be found again by id).
 */
export function resourceId(providerId: string, urn: string): string {
  if (providerId === "" || providerId === UNKNOWN) return randomBytes(4).toString("hex");
  return createHash("sha256").update(`${providerId}\n${urn}`).digest("hex").slice(0, 8);
}

/**
 * The gRPC error for a create that may have made its object: code UNKNOWN with the id and
 * properties in a `pulumirpc.ErrorResourceInitFailed` status detail, as the engine reads it
 * (and as @pulumi/pulumi's own provider server sends it).
 */
export function partialCreateError(
  message: string,
  id: string,
  properties: Props,
  reasons: string[],
): Partial<grpc.ServiceError> {
  const detail = new pb.ErrorResourceInitFailed()
    .setId(id)
    .setProperties(toStruct(properties))
    .setReasonsList(reasons);
  const any = new Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const st = new status_pb.Status().setCode(grpc.status.UNKNOWN).setMessage(message);
  st.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(st.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}
