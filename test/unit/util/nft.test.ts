// util/nft.ts: the adding form of our replacing table scripts, for every table renderer of ours.
import * as assert from "node:assert/strict";
import { renderFence } from "../../../agent/src/fence/render";
import { renderNftTable } from "../../../agent/src/network/render";
import { resolveNetwork } from "../../../agent/src/network/spec";
import { createForm } from "../../../agent/src/util/nft";

describe("nft createForm", () => {
  it("drops the delete pair and creates the table, keeping the body as it is", () => {
    const replace = "table inet t\ndelete table inet t\ntable inet t {\n  chain c {\n  }\n}\n";
    assert.equal(createForm(replace), "create table inet t\ntable inet t {\n  chain c {\n  }\n}\n");
  });

  it("takes what our renderers write", () => {
    const n = resolveNetwork({ id: "a", cidr: "10.50.0.0/24", nat: true }).network!;
    for (const script of [renderNftTable(n), renderFence([])]) {
      const c = createForm(script);
      assert.match(c, /^create table (inet|bridge) qv\S+\ntable \1 qv\S+ \{\n/);
      assert.ok(!c.includes("delete"), c);
      assert.equal(c.split("\n").length, script.split("\n").length - 1);
    }
  });

  it("refuses a script that is not a replace of one table", () => {
    assert.throws(() => createForm("table inet t {\n}\n"), /not a replacing nft script/);
    assert.throws(() => createForm("table inet t\ndelete table inet u\n"), /not a replacing nft script/);
  });
});
