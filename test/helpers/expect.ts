// Asserting qvmd's typed errors: the stable code and the property at fault.
import * as assert from "node:assert/strict";
import { AgentError } from "@pulumi-qemu/api";

export async function expectAgentError(
  p: Promise<unknown>,
  code: string,
  property?: string,
): Promise<AgentError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.ok(e instanceof AgentError, `expected ${code}, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (property !== undefined) assert.equal(e.property, property, e.message);
  return e;
}
