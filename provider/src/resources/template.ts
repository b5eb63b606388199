// qemu:index:InstanceTemplate: inputs -> TemplateSpec -> outputs. Declared in
// api/src/resources/template.ts; built and kept by qvmd (agent/src/template).
import { resources, type Template } from "@pulumi-qemu/api";
import { defineResource } from "./define";

type Inputs = resources.InputsOf<typeof resources.InstanceTemplate.props>;

export const instanceTemplate = defineResource<Inputs, Template>({
  decl: resources.InstanceTemplate,
  apply: async (ctx, id, i) =>
    (await ctx.agent()).applyTemplate(
      {
        id,
        image_id: i.imageId,
        network_id: i.networkId,
        cpus: i.cpus,
        memory_mb: i.memoryMb,
        hostname: i.hostname ?? "",
        user_data: i.userData ?? "",
        ssh_authorized_keys: i.sshAuthorizedKeys,
        accel: i.accel,
        wait_for: i.waitFor,
        wait_seconds: i.waitTimeoutSeconds ?? 0,
        owner: ctx.urn,
      },
      (p) => ctx.progress(p.message),
      ctx.timeoutMs,
    ),
  get: (agent, id) => agent.getTemplate(id),
  remove: (agent, id) => agent.deleteTemplate(id),
  // A build that failed keeps nothing, but its record may remain after a crash: remove it.
  removeOnFailedCreate: true,
  outputs: (t) => ({
    stateBytes: Number(t.state_bytes),
    memoryBytes: Number(t.memory_bytes),
    bootMs: t.boot_ms,
    saveMs: t.save_ms,
    users: t.users,
  }),
  importInputs: (t) => ({ imageId: t.spec!.image_id, networkId: t.spec!.network_id }),
});
