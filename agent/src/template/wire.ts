// An InstanceTemplate's status as the wire's Template message.
import type { wire } from "@pulumi-qemu/api";
import type { TemplateStatus } from "./manager";

export function templateToWire(s: TemplateStatus): wire.Template {
  const t = s.template;
  return {
    spec: {
      id: t.id,
      image_id: t.imageId,
      network_id: t.networkId,
      cpus: t.cpus,
      memory_mb: t.memoryMb,
      hostname: t.hostname,
      user_data: t.userData,
      ssh_authorized_keys: t.sshAuthorizedKeys,
      accel: t.accel,
      wait_for: t.waitFor,
      wait_seconds: t.waitSeconds,
      owner: t.owner,
    },
    state: s.record.status,
    state_bytes: s.stateBytes,
    memory_bytes: s.memoryBytes,
    boot_ms: s.record.bootMs,
    save_ms: s.record.saveMs,
    image_id: s.record.imageId,
    users: s.users,
    serial_log: s.serialLog,
    accel: s.record.accel,
  };
}
