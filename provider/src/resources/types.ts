// What every resource implements. The gRPC server (server.ts) dispatches by type token and owns
// all protocol details; resources see plain inputs and outputs.
import type { QvmdClient, resources } from "@pulumi-qemu/api";
import type { CheckFailure } from "../inputs";
import type { Props } from "../props";

export type { CheckFailure };

export interface Ctx {
  urn: string;
  /** Connects on first use: check of a bad input should not need a running agent. */
  agent: () => Promise<QvmdClient>;
  timeoutMs: number;
  /**
   * The id for the object a create makes: `fixed` when the inputs name it, else derived from the
   * stack's provider and the URN, so a create repeated after a lost answer finds the same object.
   * The create's id is remembered, so a failure with an unknown outcome can still report it.
   */
  newId: (fixed?: string) => string;
  /** An ephemeral status line for this resource in the CLI (download, boot, waiting for IP). */
  progress: (message: string) => void;
}

/** The engine-facing operations of one resource type (built by define.ts from a ResourceModule). */
export interface ResourceHandler {
  decl: resources.ResourceDecl;
  /** Top-level inputs whose change forces a replacement. */
  replaceOn: readonly string[];
  /** Validates and normalises inputs (defaults filled in). Unknown values are passed through. */
  check(ctx: Ctx, news: Props, olds: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  /** Outputs to show during preview, unknowns where the value is only known after create. */
  preview(inputs: Props): Props;
  create(ctx: Ctx, inputs: Props): Promise<{ id: string; outputs: Props }>;
  /** Returns undefined when the resource no longer exists. */
  read(
    ctx: Ctx,
    id: string,
    oldInputs: Props | undefined,
  ): Promise<{ inputs: Props; outputs: Props } | undefined>;
  update(ctx: Ctx, id: string, olds: Props, news: Props): Promise<Props>;
  delete(ctx: Ctx, id: string): Promise<void>;
}

/**
 * One resource, as the provider maps it: checked inputs -> the agent's spec and call -> outputs.
 * Everything else (check, diff, preview, read-or-gone, import) comes from the declaration.
 */
export interface ResourceModule<I, W> {
  decl: resources.ResourceDecl;
  /** Creates or converges `id` (the agent's Apply is both). */
  apply(ctx: Ctx, id: string, inputs: I): Promise<W>;
  get(agent: QvmdClient, id: string): Promise<W>;
  remove(agent: QvmdClient, id: string): Promise<unknown>;
  /** What the agent reports, as outputs (added to the inputs). */
  outputs(w: W): Props;
  /** Inputs rebuilt from the agent for import: defaults left out, as a program would. */
  importInputs(w: W): Props;
  /** The id the inputs fix for a new resource, if any (else Ctx.newId derives one). */
  newId?(inputs: I): string | undefined;
  /** Adjusts inputs before they are kept, also when some are still unknown (preview). */
  prepare?(ctx: Ctx, inputs: Props): Props;
  /** Checks only the agent (or the old state) can make, once the inputs are valid. */
  verify?(ctx: Ctx, inputs: I, olds: Props): Promise<CheckFailure[]>;
  /** Drift the host shows, reported as inputs so the next `up` corrects it. */
  observe?(inputs: Props, w: W): Props;
  /** A failed create leaves an object behind (a VM): delete it unless the outcome is unknown. */
  removeOnFailedCreate?: boolean;
}
