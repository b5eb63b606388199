// An instance on the wire: the shape of its requests, and an instance as the API reports it.
import type { wire } from "@pulumi-qemu/api";
import { formatIp } from "@pulumi-qemu/api/validate";
import { z } from "zod";
import { parseRequest } from "../errors";
import type { InstanceStatus } from "./manager";
import { INSTANCE_RENAMES, type InstanceSpec, instanceSpecShape } from "./spec";

const specRequest = z.object({ spec: instanceSpecShape });

/** CheckInstance, ApplyInstance: the spec, or BAD_REQUEST naming the property. */
export const specOf = (req: unknown): InstanceSpec => parseRequest(specRequest, req, INSTANCE_RENAMES).spec;

export function instanceToWire(s: InstanceStatus): wire.Instance {
  const i = s.instance;
  return {
    spec: {
      ...i,
      nics: i.nics.map((n) => ({
        network_id: n.networkId ?? "",
        bridge_id: n.bridgeId ?? "",
        mac: n.mac,
        ip: n.ip === undefined ? "" : formatIp(n.ip),
      })),
    },
    state: s.state,
    pid: s.pid,
    nics: s.nics.map((n) => ({
      bridge_id: n.bridgeId,
      network_id: n.networkId,
      mac: n.mac,
      tap: n.tap,
      ip: n.ip,
      source: n.source,
    })),
    serial_log: s.serialLog,
    accel: s.accel,
    disk_gb: s.diskGb,
  };
}
