// What every resource module implements. The gRPC server (server.ts) dispatches by type token and
// owns all protocol details; resource modules see plain inputs and outputs.
import type { QvmdClient } from "@pulumi-qemu/api";
import type { Props } from "../props";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface Ctx {
  urn: string;
  /** Connects on first use: check of a bad input should not need a running agent. */
  agent: () => Promise<QvmdClient>;
  timeoutMs: number;
  /** An ephemeral status line for this resource in the CLI (download, boot, waiting for IP). */
  progress: (message: string) => void;
}

export interface ResourceHandler {
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
