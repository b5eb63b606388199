import * as assert from "node:assert/strict";
import { parseCidr, parseIp, type Cidr } from "@pulumi-qemu/api/validate";
import { type FenceNic, renderFence, sourceMatches } from "../../../agent/src/fence/render";

const ip = (s: string) => parseIp(s)!;
const cidr = parseCidr("10.9.0.0/24") as Cidr;
const nic = (patch: Partial<FenceNic>): FenceNic => ({
  tap: "qvtaaaa11110",
  mac: "52:54:00:00:00:01",
  segment: "qvmab12b",
  ips: [],
  cidr,
  reserved: [ip("10.9.0.1"), ip("10.9.0.254")],
  ...patch,
});

/** The rules of one TAP's chain, one per line, without indentation. */
const chainOf = (script: string, tap: string): string[] => {
  const start = script.indexOf(`  chain ${tap} {`);
  assert.ok(start >= 0, `no chain for ${tap}`);
  const body = script.slice(start, script.indexOf("\n  }", start));
  return body
    .split("\n")
    .slice(1)
    .map((l) => l.trim());
};

describe("guest fence rendering", () => {
  it("replaces one bridge table whole, sends each TAP to its chain and drops TAPs it does not know", () => {
    const s = renderFence([nic({}), nic({ tap: "qvtbbbb22220", mac: "52:54:00:00:00:02" })]);
    assert.deepEqual(s.split("\n").slice(0, 3), [
      "table bridge qvm_fence",
      "delete table bridge qvm_fence",
      "table bridge qvm_fence {",
    ]);
    assert.match(s, /type filter hook prerouting priority -200; policy accept;/);
    assert.match(
      s,
      /iifname vmap \{ "qvtaaaa11110" : jump qvtaaaa11110, "qvtbbbb22220" : jump qvtbbbb22220 \}\n\s+iifname "qvt\*" drop/,
    );
    // With no NIC the table still fails closed for every TAP of ours.
    const empty = renderFence([]);
    assert.ok(!empty.includes("vmap"));
    assert.match(empty, /iifname "qvt\*" drop/);
    assert.match(empty, /iifname "qvs\*" drop/, "nor a template build VM's TAP");
    // A template's build VM (qvs…) gets a chain like an instance's NIC.
    assert.deepEqual(
      chainOf(renderFence([nic({ tap: "qvsaaaa11110" })]), "qvsaaaa11110")[0],
      "ether saddr != 52:54:00:00:00:01 drop",
    );
  });

  it("pins the Ethernet source, the ARP sender and the DHCP chaddr to the NIC's MAC", () => {
    const rules = chainOf(renderFence([nic({})]), "qvtaaaa11110");
    assert.equal(rules[0], "ether saddr != 52:54:00:00:00:01 drop");
    const arp = rules.filter((r) => r.startsWith("ether type arp arp"));
    assert.equal(arp.length, 2);
    for (const r of arp)
      assert.match(r, /arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ether 52:54:00:00:00:01 /);
    assert.ok(rules.includes("ether type arp drop"), "other ARP dropped");
    assert.ok(rules.includes("ether type ip udp sport 67 drop"), "DHCP server replies from a guest dropped");
    assert.ok(rules.includes("ether type ip udp dport 67 @th,288,48 != 0x525400000001 drop"));
    assert.ok(rules.includes("ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept"));
    assert.equal(rules.at(-1), "drop", "IPv6, VLAN tags and the rest end here");
    // The DHCP client's 0.0.0.0 source is accepted only after the server-reply and chaddr drops.
    assert.ok(
      rules.indexOf("ether type ip udp sport 67 drop") <
        rules.findIndex((r) => r.includes("saddr 0.0.0.0 udp")),
    );
  });

  it("while the address is unknown allows the CIDR minus what is reserved or claimed by other NICs", () => {
    const other = nic({ tap: "qvtbbbb22220", mac: "52:54:00:00:00:02", ips: [ip("10.9.0.20")] });
    const elsewhere = nic({
      tap: "qvtcccc33330",
      mac: "52:54:00:00:00:03",
      segment: "br0",
      ips: [ip("10.9.0.30")],
    });
    const me = nic({});
    assert.deepEqual(sourceMatches(me, [me, other, elsewhere]), {
      allow: "10.9.0.0/24",
      deny: "{ 10.9.0.0, 10.9.0.1, 10.9.0.20, 10.9.0.254, 10.9.0.255 }",
    });
    const rules = chainOf(renderFence([me, other, elsewhere]), "qvtaaaa11110");
    assert.ok(
      rules.includes(
        "ether type ip ip saddr 10.9.0.0/24 ip saddr != { 10.9.0.0, 10.9.0.1, 10.9.0.20, 10.9.0.254, 10.9.0.255 } accept",
      ),
    );
    assert.ok(
      rules.some((r) =>
        r.endsWith(
          "arp saddr ip 10.9.0.0/24 arp saddr ip != { 10.9.0.0, 10.9.0.1, 10.9.0.20, 10.9.0.254, 10.9.0.255 } accept",
        ),
      ),
    );
  });

  it("once addresses are known allows only those", () => {
    const me = nic({ ips: [ip("10.9.0.12"), ip("10.9.0.11"), ip("10.9.0.12")] });
    assert.deepEqual(sourceMatches(me, [me]), { allow: "{ 10.9.0.11, 10.9.0.12 }" });
    const one = nic({ ips: [ip("10.9.0.11")] });
    assert.ok(chainOf(renderFence([one]), one.tap).includes("ether type ip ip saddr 10.9.0.11 accept"));
  });

  it("on a segment with no known subnet refuses martians and other NICs' addresses", () => {
    const other = nic({
      tap: "qvtbbbb22220",
      mac: "52:54:00:00:00:02",
      segment: "br0",
      cidr: undefined,
      ips: [ip("192.168.1.7")],
      reserved: [],
    });
    const me = nic({ segment: "br0", cidr: undefined, reserved: [] });
    assert.deepEqual(sourceMatches(me, [me, other]), {
      deny: "{ 0.0.0.0, 127.0.0.0/8, 224.0.0.0/3, 192.168.1.7 }",
    });
  });

  it("refuses values that are not ours to render", () => {
    assert.throws(() => renderFence([nic({ tap: 'x" accept' })]), /bad TAP name/);
    assert.throws(() => renderFence([nic({ mac: "52:54:00:00:00:0A" })]), /bad MAC/);
    assert.throws(() => renderFence([nic({ mac: "01:00:5e:00:00:01" })]), /bad MAC/);
    assert.throws(() => renderFence([nic({}), nic({})]), /listed twice/);
    assert.throws(() => renderFence([nic({ ips: [2 ** 32] })]), /bad address/);
  });
});
