// Builds a resource's engine-facing handler from its module: check, diff, preview and import come
// from the declaration; only NOT_FOUND (never a timeout) means a resource is gone.
import { AgentError } from "@pulumi-qemu/api";
import { checkInputs, parseInputs, previewOf, replaceOn } from "../inputs";
import { containsUnknown, type Props } from "../props";
import type { ResourceHandler, ResourceModule } from "./types";

export function defineResource<I, W>(m: ResourceModule<I, W>): ResourceHandler {
  const outputs = (inputs: Props, w: W): Props => ({ ...inputs, ...m.outputs(w) });
  const apply = async (ctx: Parameters<ResourceHandler["create"]>[0], id: string, inputs: Props) =>
    outputs(inputs, await m.apply(ctx, id, parseInputs<I>(m.decl, inputs)));
  return {
    decl: m.decl,
    replaceOn: replaceOn(m.decl),

    async check(ctx, news, olds) {
      const prepare = (i: Props) => m.prepare?.(ctx, i) ?? i;
      if (containsUnknown(news)) return { inputs: prepare(news), failures: [] }; // checked again at create
      const checked = checkInputs(m.decl, news);
      if (checked.failures.length > 0) return checked;
      const inputs = prepare(checked.inputs);
      return { inputs, failures: (await m.verify?.(ctx, inputs as I, olds)) ?? [] };
    },

    preview: (inputs) => previewOf(m.decl, inputs),

    async create(ctx, inputs) {
      const id = ctx.newId(m.newId?.(parseInputs<I>(m.decl, inputs)));
      try {
        return { id, outputs: await apply(ctx, id, inputs) };
      } catch (e) {
        // Unknown is not absent: with an unknown outcome nothing is deleted blindly.
        if (m.removeOnFailedCreate && !(e instanceof AgentError && e.unknownOutcome))
          await m.remove(await ctx.agent(), id).catch(() => undefined);
        throw e;
      }
    },

    async read(ctx, id, oldInputs) {
      let w: W;
      try {
        w = await m.get(await ctx.agent(), id);
      } catch (e) {
        if (e instanceof AgentError && e.code === m.decl.notFound) return undefined;
        throw e;
      }
      const known = oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : m.importInputs(w);
      const inputs = m.observe?.(known, w) ?? known;
      return { inputs, outputs: outputs(inputs, w) };
    },

    update: (ctx, id, _olds, news) => apply(ctx, id, news),

    async delete(ctx, id) {
      await m.remove(await ctx.agent(), id);
    },
  };
}
