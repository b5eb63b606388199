// qvmd's V8 options (issue 13, memory): the installed unit and the tests' qvmd run with the same
// ones, and V8 takes them from NODE_OPTIONS, keeping the young generation at the size asked.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DNS_PROCESS_NODE_OPTIONS, QVMD_NODE_OPTIONS } from "../../../agent/src/constants";
import { withQvmdNodeOptions } from "../../helpers/agent";
import { unitValue } from "../../helpers/install";

const UNIT = path.resolve(__dirname, "..", "..", "..", "agent", "systemd", "qvmd.service");

/** The young generation's size after allocating 64 MB of short-lived objects, in MB. */
function youngGenerationMb(nodeOptions: string): number {
  const script =
    "let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 500) keep = []; }" +
    "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');" +
    "process.stdout.write(String(s.space_size / 1048576));";
  const out = execFileSync(process.execPath, ["-e", script], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return Number(out.toString());
}

describe("qvmd's V8 options", () => {
  it("the systemd unit sets QVMD_NODE_OPTIONS, and the tests' qvmd runs with them first", () => {
    assert.equal(
      unitValue(fs.readFileSync(UNIT, "utf8"), "Environment"),
      `NODE_OPTIONS=${QVMD_NODE_OPTIONS}`,
    );
    assert.equal(withQvmdNodeOptions({}).NODE_OPTIONS, QVMD_NODE_OPTIONS);
    assert.equal(
      withQvmdNodeOptions({ NODE_OPTIONS: "--require x" }).NODE_OPTIONS,
      `${QVMD_NODE_OPTIONS} --require x`,
    );
  });

  it("keep the young generation at 2 semi-spaces of the size asked, where V8 alone grows it", () => {
    const grown = youngGenerationMb("");
    assert.ok(grown > 8, `without options the young generation grew to ${grown} MB`);
    assert.ok(youngGenerationMb(QVMD_NODE_OPTIONS) <= 2, "qvmd's options");
    assert.ok(youngGenerationMb(DNS_PROCESS_NODE_OPTIONS) <= 4, "the DNS process's options");
  });
});
