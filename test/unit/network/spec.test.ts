import * as assert from "node:assert/strict";
import { formatIp } from "@pulumi-qemu/api/validate";
import { findConflicts, resolveNetwork, type NetworkSpecInput } from "../../../agent/src/network/spec";

const base: NetworkSpecInput = { id: "n1", cidr: "192.168.71.0/24", nat: true, dhcp: { enabled: true } };
const violations = (s: Partial<NetworkSpecInput>) => resolveNetwork({ ...base, ...s }).violations;

describe("network spec", () => {
  it("fills defaults: first host is the gateway, last host the DHCP server, pool in between", () => {
    const { network: n } = resolveNetwork(base);
    assert.ok(n);
    assert.equal(formatIp(n.gateway), "192.168.71.1");
    assert.equal(formatIp(n.dhcpServer), "192.168.71.254");
    assert.equal(formatIp(n.dhcp.start), "192.168.71.2");
    assert.equal(formatIp(n.dhcp.end), "192.168.71.253");
    assert.equal(n.dhcp.leaseSeconds, 3600);
    assert.equal(n.mtu, 1500);
  });

  const bad: Array<[string, Partial<NetworkSpecInput>, string, RegExp]> = [
    ["invalid CIDR", { cidr: "192.168.71.0/40" }, "cidr", /invalid CIDR/],
    ["non-private CIDR", { cidr: "1.1.1.0/24" }, "cidr", /not inside a private range/],
    ["prefix too short", { cidr: "10.0.0.0/8" }, "cidr", /outside \/16\.\.\/29/],
    ["gateway outside", { gateway: "10.0.0.1" }, "gateway", /not a host address/],
    ["gateway = DHCP server", { gateway: "192.168.71.254" }, "gateway", /kept for the DHCP server/],
    [
      "range half given",
      { dhcp: { enabled: true, range_start: "192.168.71.10" } },
      "dhcp.range",
      /both ends/,
    ],
    [
      "range includes gateway",
      { dhcp: { enabled: true, range_start: "192.168.71.1", range_end: "192.168.71.9" } },
      "dhcp.range",
      /must not include the gateway/,
    ],
    ["lease too short", { dhcp: { enabled: true, lease_time_seconds: 5 } }, "dhcp.leaseTime", /outside 120/],
    [
      "reservation outside",
      { dhcp: { enabled: true, reservations: [{ mac: "52:54:00:00:00:01", ip: "10.1.1.1" }] } },
      "dhcp.reservations[0].ip",
      /not a host address/,
    ],
    [
      "reservation on gateway",
      { dhcp: { enabled: true, reservations: [{ mac: "52:54:00:00:00:01", ip: "192.168.71.1" }] } },
      "dhcp.reservations[0].ip",
      /gateway/,
    ],
    [
      "bad MAC",
      { dhcp: { enabled: true, reservations: [{ mac: "nope", ip: "192.168.71.5" }] } },
      "dhcp.reservations[0].mac",
      /not a MAC/,
    ],
    [
      "multicast MAC",
      { dhcp: { enabled: true, reservations: [{ mac: "01:00:5e:00:00:01", ip: "192.168.71.5" }] } },
      "dhcp.reservations[0].mac",
      /multicast/,
    ],
    [
      "MAC clash",
      {
        dhcp: {
          enabled: true,
          reservations: [
            { mac: "52:54:00:00:00:01", ip: "192.168.71.5" },
            { mac: "52:54:00:00:00:01", ip: "192.168.71.6" },
          ],
        },
      },
      "dhcp.reservations[1].mac",
      /already reserved by reservations\[0\]/,
    ],
    [
      "IP clash",
      {
        dhcp: {
          enabled: true,
          reservations: [
            { mac: "52:54:00:00:00:01", ip: "192.168.71.5" },
            { mac: "52:54:00:00:00:02", ip: "192.168.71.5" },
          ],
        },
      },
      "dhcp.reservations[1].ip",
      /already reserved/,
    ],
    [
      "bad hostname",
      {
        dhcp: {
          enabled: true,
          reservations: [{ mac: "52:54:00:00:00:01", ip: "192.168.71.5", hostname: "a_b" }],
        },
      },
      "dhcp.reservations[0].hostname",
      /not a valid host name/,
    ],
    ["bad MTU", { mtu: 100 }, "mtu", /outside 576\.\.9000/],
    ["bad id", { id: "Bad!" }, "id", /must match/],
  ];
  for (const [what, spec, property, reason] of bad) {
    it(`rejects ${what} naming ${property}`, () => {
      const v = violations(spec);
      const hit = v.find((x) => x.property === property);
      assert.ok(hit, `no violation for ${property}: ${JSON.stringify(v)}`);
      assert.match(hit.reason, reason);
    });
  }

  it("reports several bad properties at once", () => {
    const v = violations({ mtu: 1, dhcp: { enabled: true, lease_time_seconds: 1 } });
    assert.deepEqual(v.map((x) => x.property).sort(), ["dhcp.leaseTime", "mtu"]);
  });

  it("finds overlaps with other networks (not itself, not its own owner) and with host routes", () => {
    const n = resolveNetwork({ ...base, owner: "urn:me" }).network!;
    const others = [
      { id: "n1", cidr: "192.168.71.0/24", owner: "", uid: 1000 },
      { id: "n2", cidr: "192.168.0.0/16", owner: "urn:other", uid: 1000 },
      { id: "n3", cidr: "192.168.71.0/25", owner: "urn:me", uid: 1000 },
    ];
    const v = findConflicts(
      n,
      others,
      [
        { dst: "192.168.71.128/25", dev: "eth1", table: "main" },
        { dst: "192.168.71.0/24", dev: "qvmn9h", table: "main" },
        { dst: "10.0.0.0/8", dev: "eth0", table: "main" },
      ],
      1000,
    );
    assert.deepEqual(
      v.map((x) => x.code),
      ["NET_OVERLAP", "ROUTE_OVERLAP"],
    );
    assert.match(v[0]!.reason, /overlaps network n2/);
    assert.match(v[1]!.reason, /host route "192\.168\.71\.128\/25 dev eth1"/);
  });

  it("takes another network with the same owner for this one only when it is the caller's (finding 12)", () => {
    const n = resolveNetwork({ ...base, owner: "urn:me" }).network!;
    const copied = [{ id: "n3", cidr: "192.168.71.0/25", owner: "urn:me", uid: 1000 }];
    const codes = (v: ReturnType<typeof findConflicts>) => v.map((x) => x.code);
    assert.deepEqual(
      codes(findConflicts(n, copied, [], 1000)),
      [],
      "its own: the same resource (a Check, or a replacement created first)",
    );
    assert.deepEqual(
      codes(findConflicts(n, copied, [], 1001)),
      ["NET_OVERLAP"],
      "another uid copied the owner",
    );
  });
});
