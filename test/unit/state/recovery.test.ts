// A damaged state file never stops qvmd for good and never makes it forget anything: the damaged
// file is set aside (kept), the last good copy takes its place, and with no good copy at all qvmd
// refuses to act rather than start from nothing. Files in a temp dir; no root needed.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { paths } from "../../../agent/src/constants";
import { QvmdError } from "../../../agent/src/errors";
import { loadState, parseState, StateStore } from "../../../agent/src/state";

describe("state file recovery", () => {
  let dir: string;
  let p: ReturnType<typeof paths>;
  const write = (f: string, text: string | Buffer) => fs.writeFileSync(f, text);
  const aside = () => fs.readdirSync(dir).filter((f) => f.startsWith("state.json.corrupt-"));
  const net = (id: string) => ({ spec: { id, cidr: "10.9.0.0/24" }, createdAt: "t" }) as never;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-state-"));
    p = paths({ stateDir: dir, runDir: path.join(dir, "run") });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("starts empty, without a problem, when there has never been a state", () => {
    const l = loadState(p);
    assert.deepEqual(l.problems, []);
    assert.equal(l.unreadable, undefined);
    assert.deepEqual(l.doc.networks, {});
  });

  it("keeps a last good copy of every state it writes, and of one it finds without a copy", async () => {
    const s = new StateStore(p);
    await s.update((d) => (d.networks.a = net("a")));
    assert.equal(fs.readFileSync(p.stateLastGood, "utf8"), fs.readFileSync(p.stateFile, "utf8"));
    fs.rmSync(p.stateLastGood);
    assert.deepEqual(loadState(p).problems, []);
    assert.equal(fs.readFileSync(p.stateLastGood, "utf8"), fs.readFileSync(p.stateFile, "utf8"));
  });

  for (const [what, damage] of [
    ["truncated", (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ["garbled", () => Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 256))],
    ["emptied", () => ""],
    ["of another version", (t: string) => t.replace('"version": 1', '"version": 7')],
  ] as const)
    it(`loads the last good copy when state.json is ${what}, and keeps the damaged file`, async () => {
      const s = new StateStore(p);
      await s.update((d) => (d.networks.a = net("a")));
      await s.update((d) => (d.networks.b = net("b")));
      const good = fs.readFileSync(p.stateFile, "utf8");
      const bad = damage(good);
      write(p.stateFile, bad);
      const again = new StateStore(p);
      assert.deepEqual(Object.keys(again.networks).sort(), ["a", "b"], "nothing forgotten");
      assert.equal(again.unreadable, undefined);
      assert.match(again.problems[0]!, /state\.json is unreadable \(.+\)$/);
      assert.match(again.problems[1]!, /^it was set aside as .*state\.json\.corrupt-/);
      assert.match(
        again.problems[2]!,
        /the last good copy .*state\.last-good\.json .* was loaded in its place/,
      );
      assert.equal(aside().length, 1);
      assert.deepEqual(
        fs.readFileSync(path.join(dir, aside()[0]!)),
        Buffer.from(bad),
        "the damaged bytes are kept",
      );
      assert.equal(
        fs.readFileSync(p.stateFile, "utf8"),
        good,
        "state.json is whole again for the next start",
      );
      assert.deepEqual(new StateStore(p).problems, [], "the next start finds nothing wrong");
    });

  it("restores a missing state.json from the last good copy", async () => {
    await new StateStore(p).update((d) => (d.networks.a = net("a")));
    fs.rmSync(p.stateFile);
    const s = new StateStore(p);
    assert.deepEqual(Object.keys(s.networks), ["a"]);
    assert.match(s.problems.join(" "), /is missing.*last good copy/);
  });

  it("with no good copy, assumes nothing: unreadable, refuses changes, deletes no file", async () => {
    await new StateStore(p).update((d) => (d.networks.a = net("a")));
    write(p.stateFile, "{ torn");
    write(p.stateLastGood, "[]");
    const s = new StateStore(p);
    assert.match(s.unreadable ?? "", /the last good copy is unreadable too \(not a JSON object\)/);
    assert.match(s.unreadable ?? "", /restore a state file/);
    const e = await s.update((d) => (d.networks.c = net("c"))).catch((x: unknown) => x);
    assert.ok(e instanceof QvmdError && e.code === "STATE_CORRUPT", String(e));
    assert.equal(fs.readFileSync(p.stateLastGood, "utf8"), "[]");
    assert.equal(fs.readFileSync(p.stateFile, "utf8"), "{ torn", "left in place: no empty state replaces it");
    assert.equal(new StateStore(p).unreadable !== undefined, true, "and the next start still refuses");
  });

  it("names what is wrong with a document", () => {
    assert.match(parseState("{") as string, /^not JSON/);
    assert.equal(parseState("null"), "not a JSON object");
    assert.equal(parseState('{"version":1,"networks":[]}'), '"networks" is not an object');
    assert.equal(typeof parseState('{"version":1}'), "object");
  });

  it("removes the temp files a kill mid-write left, and only those, when qvmd starts", async () => {
    const s = new StateStore(p);
    await s.update((d) => (d.networks.a = net("a")));
    const orphans = [
      "state.json.tmp-29180-v3hwgyfkh1",
      "state.last-good.json.tmp-1-x",
      `state.json.tmp-${process.pid}-y`,
    ];
    for (const o of orphans) write(path.join(dir, o), "{");
    write(path.join(dir, "state.jsonx.tmp-1-z"), "not ours to judge");
    const again = new StateStore(p);
    assert.deepEqual(Object.keys(again.networks), ["a"]);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes(".tmp-")),
      ["state.jsonx.tmp-1-z"],
    );
  });
});
