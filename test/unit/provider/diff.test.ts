import * as assert from "node:assert/strict";
import { diffInputs } from "../../../provider/src/diff";
import { UNKNOWN } from "../../../provider/src/props";

describe("provider diff", () => {
  const replaceOn = ["cidr", "name"];
  it("finds no change for equal inputs", () => {
    assert.deepEqual(
      diffInputs({ cidr: "a", dhcp: { x: [1] } }, { cidr: "a", dhcp: { x: [1] } }, replaceOn),
      { changed: {}, replaces: [] },
    );
  });
  it("updates in place what may change, replaces only on replace-only properties", () => {
    const d = diffInputs({ cidr: "a", dhcp: { x: [1] } }, { cidr: "a", dhcp: { x: [2] } }, replaceOn);
    assert.deepEqual(d, { changed: { dhcp: { kind: "update", replace: false } }, replaces: [] });
    const r = diffInputs({ cidr: "a" }, { cidr: "b", mtu: 1400 }, replaceOn);
    assert.deepEqual(r.replaces, ["cidr"]);
    assert.equal(r.changed.mtu?.kind, "add");
  });
  it("treats an unknown (preview) value as a change", () => {
    assert.deepEqual(diffInputs({ name: "x" }, { name: UNKNOWN }, replaceOn).replaces, ["name"]);
  });
});
