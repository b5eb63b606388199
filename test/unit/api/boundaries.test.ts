// The import boundaries of eslint.config.mjs are enforced: each forbidden import is reported, and
// the allowed ones are not.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "..", "..", "..");

async function restricted(file: string, source: string): Promise<boolean> {
  const eslint = new ESLint({ cwd: ROOT });
  const [r] = await eslint.lintText(`${source}\nexport const used = x;\n`, {
    filePath: path.join(ROOT, file),
  });
  return r!.messages.some((m) => /^(@typescript-eslint\/)?no-restricted-imports$/.test(m.ruleId ?? ""));
}

describe("import boundaries (eslint)", function () {
  this.timeout(60000);
  const cases: [file: string, source: string, forbidden: boolean][] = [
    ["provider/src/resources/x.ts", 'import { x } from "@pulumi-qemu/agent/dist/net/spec";', true],
    ["provider/src/resources/x.ts", 'import { x } from "../../../agent/src/network/spec";', true],
    ["provider/src/resources/x.ts", 'import { x } from "@pulumi-qemu/api";', false],
    ["provider/src/resources/x.ts", 'import { x } from "../agent";', false],
    ["agent/src/dns/x.ts", 'import { x } from "../network/spec";', true],
    ["agent/src/qemu/x.ts", 'import { x } from "../instance/spec";', true],
    ["agent/src/firewall/x.ts", 'import { x } from "../network/manager";', true],
    ["agent/src/util/x.ts", 'import { x } from "../dnsForwarder/spec";', true],
    ["agent/src/firewall/x.ts", 'import { x } from "../constants";', false],
    ["agent/src/fence/x.ts", 'import { x } from "../template/launch";', true],
    ["agent/src/qemu/x.ts", 'import { x } from "../template/launch";', true],
    ["agent/src/fence/x.ts", 'import type { x } from "../state";', false],
    ["agent/src/state.ts", 'import type { x } from "./network/spec";', true],
    ["agent/src/state.ts", 'import type { x } from "./util/lock";', false],
    ["agent/src/dns/x.ts", 'import { x } from "@pulumi-qemu/api/validate";', false],
    ["agent/src/qemu/x.ts", 'import { x } from "../errors";', false],
    ["api/src/x.ts", 'import { x } from "../../agent/src/constants";', true],
    // A resource's host work goes through its host.ts; its types may be imported anywhere.
    ["agent/src/instance/manager.ts", 'import { x } from "../util/exec";', true],
    ["agent/src/instance/clone.ts", 'import { x } from "../qemu/migrate";', true],
    ["agent/src/instance/plan.ts", 'import { x } from "../qemu/qmp";', true],
    ["agent/src/image/manager.ts", 'import { x } from "./fetch";', true],
    ["agent/src/image/acquire.ts", 'import type { x } from "./fetch";', false],
    ["agent/src/network/manager.ts", 'import { x } from "./dhcp";', true],
    ["agent/src/template/manager.ts", 'import { x } from "../qemu/migrate";', true],
    ["agent/src/instance/host.ts", 'import { x } from "../qemu/migrate";', false],
    ["agent/src/image/host.ts", 'import { x } from "./inspect";', false],
  ];
  for (const [file, source, forbidden] of cases)
    it(`${forbidden ? "refuses" : "allows"} ${source.match(/"(.*)"/)![1]} in ${file}`, async () => {
      assert.equal(await restricted(file, source), forbidden);
    });
});
