// ARP discovery's sweeps (a python3 child per sweep, up to 3 s each) end with the wait that started
// them: found, deadline or cancelled, no sweep of ours is left running once the wait returns.
// A real bridge in a namespace of its own, with a real neighbour answering ARP from another.
import * as assert from "node:assert/strict";
import { run } from "../../../agent/src/util/exec";
import { type Segment, type Sighting, waitForAddresses } from "../../../agent/src/instance/discovery";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const NS = "qvxdsc";
const PEER_NS = "qvxdscg";
const BRIDGE = "qvxdscb";
const PEER_IP = "10.253.7.9";
const seg: Segment = { ns: NS, ifname: BRIDGE, source: "10.253.7.1", cidr: "10.253.7.0/24" };

/** Sweeps of ours on this bridge still running (`ip netns exec` execs python3 in place). */
async function sweeps(): Promise<string[]> {
  const r = await run("pgrep", ["-a", "-f", `arpscan\\.py ${BRIDGE} `], { reject: false });
  return r.stdout.split("\n").filter((l) => l.trim() !== "");
}

/** None left when the wait returns, or at the latest ~100 ms later. */
async function assertNoSweep(how: string): Promise<void> {
  if ((await sweeps()).length === 0) return;
  await new Promise((r) => setTimeout(r, 100));
  const left = await sweeps();
  assert.deepEqual(left, [], `a sweep outlived the wait (${how})`);
}

describe("instances: ARP discovery stops its sweep when the wait ends", function () {
  this.timeout(60000);
  let peerMac = "";

  before(async () => {
    const ip = (...a: string[]) => run("ip", a);
    await ip("netns", "add", NS);
    await ip("netns", "add", PEER_NS);
    await ip("-n", NS, "link", "add", BRIDGE, "type", "bridge");
    await ip("-n", NS, "addr", "add", "10.253.7.1/24", "dev", BRIDGE);
    await ip("-n", NS, "link", "add", "qvxdsc0", "type", "veth", "peer", "name", "qvxdsc1", "netns", PEER_NS);
    await ip("-n", NS, "link", "set", "qvxdsc0", "master", BRIDGE);
    for (const l of [BRIDGE, "qvxdsc0"]) await ip("-n", NS, "link", "set", l, "up");
    await ip("-n", PEER_NS, "addr", "add", `${PEER_IP}/24`, "dev", "qvxdsc1");
    await ip("-n", PEER_NS, "link", "set", "qvxdsc1", "up");
    const link = JSON.parse((await ip("-n", PEER_NS, "-j", "link", "show", "qvxdsc1")).stdout) as {
      address: string;
    }[];
    peerMac = link[0]!.address;
  });

  after(async () => {
    for (const ns of [NS, PEER_NS]) await run("ip", ["netns", "del", ns], { reject: false });
  });

  it("found: the neighbour's address, and the sweep that found it is gone", async () => {
    const known = new Map<string, Sighting>();
    await waitForAddresses(seg, [peerMac], Date.now() + 20000, known);
    assert.deepEqual(known.get(peerMac), { mac: peerMac, ip: PEER_IP, source: "arp" });
    await assertNoSweep("found");
  });

  it("deadline: nothing found, and no sweep runs past it", async () => {
    const known = new Map<string, Sighting>();
    // Sweeps last at least 0.5 s: the last one starts before the deadline and would end after it.
    await waitForAddresses(seg, ["52:54:00:00:7e:01"], Date.now() + 1700, known);
    assert.equal(known.size, 0);
    await assertNoSweep("deadline");
  });

  it("cancelled: the wait ends when its call does, its sweep with it", async () => {
    const known = new Map<string, Sighting>();
    const cancel = new AbortController();
    const t0 = Date.now();
    setTimeout(() => cancel.abort(), 700);
    await waitForAddresses(seg, ["52:54:00:00:7e:02"], Date.now() + 20000, known, cancel.signal);
    assert.ok(Date.now() - t0 < 10000, "ended by the cancel, not by the deadline (20 s)");
    await assertNoSweep("cancelled");
  });
});
