// The launcher's TAPs (agent/helpers/taplink.py), real namespace and bridges: what an instance's
// start relies on now that no `ip` exec makes its TAPs. The launcher makes a missing TAP,
// persistent (it outlives the program, as `ip tuntap add`'s does, and qvmd removes it); with a
// bridge it sets the MTU, joins it and sets it up; a TAP a crash left in another bridge is moved
// to the one asked for; a bridge that does not exist fails before the program runs, naming both.
import * as assert from "node:assert/strict";
import { run } from "../../../agent/src/util/exec";
import { type Sandbox, sandboxArgv } from "../../../agent/src/util/sandbox";
import { useLeakCheck } from "../../helpers/leaks";
import { qemuSandbox } from "../../helpers/sandbox";

useLeakCheck();

const NETNS = "qvx-lt1";
const [BR1, BR2] = ["qvxltbr1", "qvxltbr2"];
const [TAP0, TAP1] = ["qvxlttap0", "qvxlttap1"];

/** What `ip -d link show` says of a link in the test namespace, as JSON. */
async function link(name: string): Promise<
  | {
      mtu: number;
      master?: string;
      flags: string[];
      linkinfo?: { info_kind?: string; info_data?: { type?: string; persist?: boolean } };
    }
  | undefined
> {
  const r = await run("ip", ["-j", "-d", "-n", NETNS, "link", "show", "dev", name], { reject: false });
  return r.exitCode === 0 ? JSON.parse(r.stdout)[0] : undefined;
}

describe("QEMU's launcher makes and joins its TAPs (real namespace, bridges)", function () {
  this.timeout(60000);
  let sandbox: Sandbox;
  /** The launcher with these --tap values, running /bin/true as the sandbox user. */
  const launcher = (taps: string[]) => {
    const [file, ...args] = ["ip", "netns", "exec", NETNS, ...sandboxArgv(sandbox, ["/bin/true"], { taps })];
    return run(file!, args, { reject: false });
  };

  before(async () => {
    sandbox = await qemuSandbox();
    await run("ip", ["netns", "add", NETNS]);
    for (const br of [BR1, BR2]) await run("ip", ["-n", NETNS, "link", "add", br, "type", "bridge"]);
  });
  after(async () => {
    await run("ip", ["netns", "del", NETNS], { reject: false });
  });

  it("makes a missing TAP, persistent, sets its MTU, joins its bridge and sets it up", async () => {
    const r = await launcher([`${TAP0}:${BR1}:1400`, TAP1]);
    assert.equal(r.exitCode, 0, r.stderr);
    const t0 = await link(TAP0);
    assert.equal(t0?.master, BR1);
    assert.equal(t0?.mtu, 1400);
    assert.ok(t0?.flags.includes("UP"), `${TAP0} is up: ${t0?.flags.join(",")}`);
    assert.equal(t0?.linkinfo?.info_kind, "tun");
    assert.equal(t0?.linkinfo?.info_data?.persist, true, "it outlives the program");
    const t1 = await link(TAP1);
    assert.ok(t1, "a TAP without a bridge is made too (it joins one after a move)");
    assert.equal(t1?.master, undefined);
    assert.ok(!t1?.flags.includes("UP"), "and is left down and unjoined");
  });

  it("opens the TAP again after it exited, and moves one left in another bridge to the one asked", async () => {
    assert.equal((await launcher([`${TAP0}:${BR1}:1400`])).exitCode, 0, "a TAP already in its bridge stays");
    assert.equal((await link(TAP0))?.master, BR1);
    const r = await launcher([`${TAP0}:${BR2}`]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await link(TAP0))?.master, BR2);
  });

  it("fails before the program runs when the bridge does not exist, naming the TAP and the bridge", async () => {
    const r = await launcher([`${TAP1}:qvxltnone`]);
    assert.equal(r.exitCode, 126);
    assert.match(r.stderr, /cannot join TAP qvxlttap1 to qvxltnone/);
    assert.equal((await link(TAP1))?.master, undefined);
  });
});
