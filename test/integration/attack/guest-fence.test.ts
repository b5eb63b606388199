// Attacker tests, guests (findings 6 and 7): a hostile guest on a network of ours, plugged where its
// instance's TAP would be (a port named qvt<id>0 on the network's bridge, so the guest fence qvmd
// renders for that NIC applies), tries to spoof its addresses, to claim another instance's, to
// speak IPv6, to answer DHCP for the others and to lease for another MAC. Each is dropped; the
// same guest's legitimate traffic still flows.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { names } from "../../../agent/src/constants";
import { type Sighting, arpSweep, networkSegment } from "../../../agent/src/instance/discovery";
import { resolveNetwork } from "../../../agent/src/network/spec";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { Guest, OutsideHost } from "../../helpers/hosts";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const FRAMES = path.resolve(__dirname, "..", "..", "helpers", "frames.py");
const NET = "qxk";
const CIDR = "10.242.0.0/24";
const GW = "10.242.0.1";
const VICTIM_IP = "10.242.0.50";
const attacker = new Guest("qvxatk", "52:54:00:4b:00:01");
const victim = new Guest("qvxvic", "52:54:00:4b:00:02");
const tapOf = (instance: string) => names.tap(instance, 0);

/** Sends one crafted frame from a guest's interface (frames.py). */
const frame = (g: Guest, ...args: string[]) => g.exec("python3", FRAMES, `${g.name}g`, ...args);

/** UDP datagrams the outside host receives on `port` while `send` runs: "<source> <len>" lines. */
async function outsideSees(
  outside: OutsideHost,
  port: number,
  send: () => Promise<unknown>,
): Promise<string[]> {
  const listening = run(
    "ip",
    ["netns", "exec", outside.ns, "python3", FRAMES, "qvxo1", "listen-udp", String(port), "2"],
    { reject: false },
  );
  await new Promise((r) => setTimeout(r, 300));
  await send();
  return (await listening).stdout.split("\n").filter((l) => l.trim() !== "");
}

/** A UDP datagram from `source` (added to the guest's interface first) to the outside host. */
async function sendFrom(g: Guest, source: string, to: string, port: number): Promise<void> {
  await g.exec("ip", "addr", "add", `${source}/32`, "dev", `${g.name}g`);
  const py = `import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("${source}",0));s.sendto(b"qvx",("${to}",${port}))`;
  await g.exec("python3", "-c", py);
  await g.exec("ip", "addr", "del", `${source}/32`, "dev", `${g.name}g`);
}

describe("attack: a hostile guest against the guest fence (real kernel, qvmd)", function () {
  this.timeout(180000);
  const agent = new TestAgent();
  const outside = new OutsideHost();
  let netns = "";
  let bridge = "";

  before(async () => {
    const c = await agent.start();
    await outside.start();
    const n = await c.applyNetwork({ id: NET, cidr: CIDR, nat: true, dhcp: { enabled: true } });
    netns = n.namespace;
    bridge = n.bridge;
    await c.applyImage(await guestImage("img"));
    // Two instances that are recorded but not started: their NICs are in the fence, and the guests
    // below stand where their TAPs would be.
    for (const [id, g, ip] of [
      ["atk", attacker, ""],
      ["vic", victim, VICTIM_IP],
    ] as const)
      await c.applyInstance({
        id,
        image_id: "img",
        memory_mb: 128,
        nics: [{ network_id: NET, mac: g.mac, ...(ip ? { ip } : {}) }],
        running: false,
      });
    await attacker.plug(netns, bridge, tapOf("atk"));
    await victim.plug(netns, bridge, tapOf("vic"));
  });
  after(async () => {
    for (const g of [attacker, victim]) await g.destroy();
    await outside.stop();
    await agent.stop();
  });

  it("lets each guest do what it should: its lease, the gateway, the outside (masqueraded)", async () => {
    assert.equal((await victim.dhcp()).ip, VICTIM_IP, "the victim gets its reservation");
    const lease = await attacker.dhcp();
    assert.match(lease.ip, /^10\.242\.0\./);
    assert.ok(await attacker.ping(GW));
    assert.ok(await attacker.ping(VICTIM_IP), "guests of one network reach each other");
    assert.equal(await outside.seenFrom(attacker.name), outside.hostSide);
    const seen = await outsideSees(outside, 7101, () => sendFrom(attacker, lease.ip, outside.address, 7101));
    assert.deepEqual(
      seen.map((l) => l.split(" ")[0]),
      [outside.hostSide],
      "a legitimate datagram arrives",
    );
  });

  it("drops a source address outside the network, and one claimed by another instance", async () => {
    for (const spoof of ["192.0.2.7", "10.242.1.9", VICTIM_IP, GW]) {
      const seen = await outsideSees(outside, 7102, () => sendFrom(attacker, spoof, outside.address, 7102));
      assert.deepEqual(seen, [], `datagram from ${spoof} must not leave`);
    }
  });

  it("drops frames with another MAC, ARP for another instance's address, and keeps the host's view", async () => {
    // ARP: the victim's address announced with the attacker's MAC, then with the victim's.
    await frame(attacker, "arp", attacker.mac, "2", attacker.mac, VICTIM_IP, "ff:ff:ff:ff:ff:ff", VICTIM_IP);
    await frame(
      attacker,
      "arp",
      victim.mac,
      "2",
      victim.mac,
      "10.242.0.77",
      "ff:ff:ff:ff:ff:ff",
      "10.242.0.77",
    );
    const neigh = await run("ip", ["neigh", "show", VICTIM_IP, "dev", names.hostVeth(NET)], {
      reject: false,
    });
    assert.ok(!neigh.stdout.includes(attacker.mac), `the host's neighbour entry moved: ${neigh.stdout}`);
    // Whole frames from the victim's MAC: nothing passes (the gateway stays unreachable).
    await attacker.exec("ip", "link", "set", `${attacker.name}g`, "address", victim.mac);
    try {
      assert.equal(await attacker.ping(GW), false, "a frame with another NIC's MAC passes nothing");
    } finally {
      await attacker.exec("ip", "link", "set", `${attacker.name}g`, "address", attacker.mac);
    }
    assert.ok(await victim.ping(GW), "the victim is unaffected");
  });

  it("gives address discovery nothing false: no sighting puts the victim's MAC at another address", async () => {
    const n = resolveNetwork({ id: NET, cidr: CIDR, nat: true, dhcp: { enabled: true } }).network!;
    const sightings: Sighting[] = [];
    const sweep = arpSweep({ ...networkSegment(n, undefined as never), leases: undefined }, 2, (s) =>
      sightings.push(s),
    );
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) {
      await frame(attacker, "arp", attacker.mac, "2", victim.mac, "10.242.0.77", "ff:ff:ff:ff:ff:ff", GW);
      await frame(attacker, "arp", victim.mac, "2", victim.mac, "10.242.0.77", "ff:ff:ff:ff:ff:ff", GW);
    }
    await sweep;
    const victims = sightings.filter((s) => s.mac === victim.mac).map((s) => s.ip);
    assert.ok(
      victims.every((ip) => ip === VICTIM_IP),
      `victim seen at ${victims.join(", ")}`,
    );
  });

  it("drops a guest's DHCP server replies and its requests for another MAC", async () => {
    // A rogue OFFER from the attacker never reaches the victim's DHCP client port.
    const rogue = victim.exec("python3", FRAMES, `${victim.name}g`, "listen-udp", "68", "2");
    await new Promise((r) => setTimeout(r, 300));
    await frame(attacker, "dhcp", attacker.mac, "67", "68", victim.mac);
    await frame(attacker, "udp", attacker.mac, (await attacker.dhcp()).ip, "255.255.255.255", "68");
    const heard = (await rogue).stdout.split("\n").filter((l) => l.trim() !== "");
    assert.equal(heard.length, 1, `only the plain datagram (not the offer) arrives: ${heard.join("; ")}`);
    // A DISCOVER for a MAC that is not the attacker's never reaches dnsmasq; the same frame with
    // its own MAC does (so the frame itself is one dnsmasq reads).
    const stranger = "52:54:00:4b:00:99";
    const log = async () =>
      (await run("cat", [path.join(agent.stateDir, "networks", NET, "dnsmasq.log")], { reject: false }))
        .stdout;
    for (let i = 0; i < 3; i++) await frame(attacker, "dhcp", attacker.mac, "68", "67", stranger);
    await frame(attacker, "dhcp", attacker.mac, "68", "67", attacker.mac);
    for (let i = 0; i < 40 && !/DHCPDISCOVER\S* 52:54:00:4b:00:01/.test(await log()); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(await log(), /DHCPDISCOVER\S* 52:54:00:4b:00:01/, "the control frame reached dnsmasq");
    assert.ok(!(await log()).includes(stranger), "dnsmasq never heard of the stranger's MAC");
  });

  it("drops IPv6, and a port of ours that has no NIC in the fence passes nothing", async () => {
    // Link-local addresses of their own (the DHCP client's deconfig flushed the kernel's), without
    // duplicate detection, so that only the fence stands between them.
    for (const [g, a] of [
      [attacker, "fe80::4b:1"],
      [victim, "fe80::4b:2"],
    ] as const)
      await g.exec("ip", "-6", "addr", "add", `${a}/64`, "dev", `${g.name}g`, "nodad");
    const addr = "fe80::4b:2";
    const ll = (await victim.exec("ip", "-6", "-o", "addr", "show", "dev", `${victim.name}g`)).stdout;
    assert.ok(ll.includes(addr), `victim has its link-local address: ${ll}`);
    const r = await attacker.exec("busybox", "ping", "-6", "-c", "1", "-W", "2", `${addr}%${attacker.name}g`);
    assert.notEqual(r.exitCode, 0, "IPv6 between guests is dropped");
    assert.ok(await attacker.ping(VICTIM_IP), "IPv4 between the same guests still flows");

    const stray = new Guest("qvxstr", "52:54:00:4b:00:03");
    try {
      await stray.plug(netns, bridge, tapOf("nobody0"));
      await assert.rejects(stray.dhcp(), /no DHCP lease/);
    } finally {
      await stray.destroy();
    }
  });
});
