// Who sees what in a List (api/proto/qvmd.proto, "Lists"): root everything; any other uid its own
// objects, plus root's of the kinds it may build on (networks, images, bridges), never another
// uid's. Records without a uid are root's.
import * as assert from "node:assert/strict";
import { defaultConfig } from "../../../agent/src/config";
import { accessRules } from "../../../agent/src/policy/access";

const rec = (uid?: number) => ({ uid });
const state = {
  networks: { n0: rec(0), na: rec(1000), nb: rec(1001), nold: rec() },
  images: { i0: rec(0), ia: rec(1000) },
  instances: { v0: rec(0), va: rec(1000), vb: rec(1001), vold: rec() },
  templates: {},
  bridges: { b0: rec(0), bb: rec(1001) },
  dnsForwarders: { d0: rec(0), da: rec(1000) },
  uploads: {},
} as unknown as Parameters<typeof accessRules>[0]; // records cut down to their owner

describe("List visibility", () => {
  const a = accessRules(state, defaultConfig().quotas);
  const caller = (uid: number) => ({ uid, gid: uid, pid: 1 });
  const ids = (uid: number, kind: Parameters<typeof a.listed>[1]) => [...a.listed(caller(uid), kind)].sort();

  it("shows root everything", () => {
    assert.deepEqual(ids(0, "network"), ["n0", "na", "nb", "nold"]);
    assert.deepEqual(ids(0, "instance"), ["v0", "va", "vb", "vold"]);
  });

  it("shows a uid its own instances and forwarders only, never root's or another uid's", () => {
    assert.deepEqual(ids(1000, "instance"), ["va"]);
    assert.deepEqual(ids(1000, "DNS forwarder"), ["da"]);
    assert.deepEqual(ids(1001, "DNS forwarder"), []);
  });

  it("adds root's networks, images and bridges, which a uid may build on", () => {
    assert.deepEqual(ids(1000, "network"), ["n0", "na", "nold"]);
    assert.deepEqual(ids(1001, "image"), ["i0"]);
    assert.deepEqual(ids(1000, "bridge"), ["b0"]);
  });
});
