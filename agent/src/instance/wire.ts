// An instance as the API reports it: the spec in effect, its process and NICs, as the proto message.
import type { wire } from "@pulumi-qemu/api";
import { formatIp } from "@pulumi-qemu/api/validate";
import type { NicState } from "./addresses";
import type { ResolvedInstance } from "./spec";

/** An instance as the manager reports it. */
export interface InstanceStatus {
  instance: ResolvedInstance;
  state: "running" | "stopped";
  pid: number;
  nics: NicState[];
  serialLog: string;
  accel: string;
  diskGb: number;
}

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
