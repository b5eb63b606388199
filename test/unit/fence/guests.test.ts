import * as assert from "node:assert/strict";
import { type Cidr, parseCidr, parseIp } from "@pulumi-qemu/api/validate";
import { buildNics, guestNics } from "../../../agent/src/fence/guests";
import { enterableBy, layoutDirs } from "../../../agent/src/layout";
import { paths } from "../../../agent/src/constants";
import type { InstanceRecord } from "../../../agent/src/state";

const ip = (s: string) => parseIp(s)!;
const rec = (
  nics: Array<Partial<InstanceRecord["spec"]["nics"][number]>>,
  addresses: InstanceRecord["addresses"] = {},
) =>
  ({
    spec: { nics },
    addresses,
    blobs: [],
    diskGb: 1,
    launchKey: "",
    createdAt: "",
  }) as unknown as InstanceRecord;

describe("guest fence NICs from the recorded instances (pure)", () => {
  const seg = {
    bridge: "qvmn1b",
    has: (nic: { network_id?: string }) => nic.network_id === "n1",
    cidr: parseCidr("10.5.0.0/24") as Cidr,
    reserved: [ip("10.5.0.1"), ip("10.5.0.254")],
    reservations: new Map([["52:54:00:00:00:0a", ip("10.5.0.10")]]),
    leases: new Map([["52:54:00:00:00:0c", ip("10.5.0.33")]]),
  };

  it("names each NIC's TAP, pins what is known of it and reserves the others' reservations", () => {
    const nics = guestNics(
      {
        a1: rec([
          { network_id: "n1", mac: "52:54:00:00:00:0A" },
          { network_id: "other", mac: "52:54:00:00:00:0b" },
        ]),
        b2: rec([{ network_id: "n1", mac: "52:54:00:00:00:0c", ip: "10.5.0.20" }], {
          "52:54:00:00:00:0c": { ip: "10.5.0.21", source: "arp" },
        }),
        c3: rec([{ network_id: "n1", mac: "52:54:00:00:00:0d" }]),
        bad: rec([{ network_id: "n1", mac: "not a mac" }]),
      },
      seg,
    );
    assert.deepEqual(
      nics.map((n) => [n.tap, n.mac, n.ips.map((x) => x >>> 0)]),
      [
        ["qvta10", "52:54:00:00:00:0a", [ip("10.5.0.10")]],
        ["qvtb20", "52:54:00:00:00:0c", [ip("10.5.0.20"), ip("10.5.0.21"), ip("10.5.0.33")]],
        ["qvtc30", "52:54:00:00:00:0d", []],
      ],
    );
    // The network's reservation for a1's MAC is a1's own; for the others it is reserved.
    assert.ok(!nics[0]!.reserved.includes(ip("10.5.0.10")));
    assert.ok(nics[2]!.reserved.includes(ip("10.5.0.10")));
    assert.ok(nics.every((n) => n.segment === "qvmn1b" && n.reserved.includes(ip("10.5.0.1"))));
  });

  it("ignores recorded addresses outside the segment's subnet", () => {
    const [n] = guestNics(
      {
        a1: rec([{ network_id: "n1", mac: "52:54:00:00:00:0e" }], {
          "52:54:00:00:00:0e": { ip: "192.168.9.9", source: "arp" },
        }),
      },
      seg,
    );
    assert.deepEqual(n!.ips, []);
  });

  it("fences a template's build VM: its lease once it has one, never a reserved address", () => {
    const [a, b] = buildNics(
      [
        { tap: "qvst10", mac: "52:54:01:00:00:01" },
        { tap: "qvst20", mac: "52:54:00:00:00:0c" },
      ],
      seg,
    );
    assert.deepEqual(a, {
      tap: "qvst10",
      mac: "52:54:01:00:00:01",
      segment: "qvmn1b",
      ips: [],
      cidr: seg.cidr,
      reserved: [ip("10.5.0.1"), ip("10.5.0.254"), ip("10.5.0.10")],
    });
    assert.deepEqual(b!.ips, [ip("10.5.0.33")], "its lease");
  });
});

describe("state directory layout (pure)", () => {
  const sb = { user: "qvmd-qemu", group: "qvmd-qemu", uid: 995, gid: 995, groups: [995] };
  it("lets the sandbox users enter, never list or write, what they need", () => {
    const dirs = layoutDirs("/var/lib/qvmd", paths({ stateDir: "/var/lib/qvmd", runDir: "/run/qvmd" }), {
      qemu: sb,
      dhcp: { ...sb, user: "qvmd-dhcp", uid: 994, gid: 994, groups: [994] },
    });
    const mode = (p: string) => dirs.find((d) => d.path === p)?.mode;
    assert.equal(mode("/var/lib/qvmd"), 0o711);
    assert.equal(mode("/var/lib/qvmd/images/blobs"), 0o750);
    assert.equal(mode("/var/lib/qvmd/images/downloads"), 0o700);
    assert.ok(
      dirs.every((d) => d.uid === 0 && (d.mode & 0o022) === 0),
      "root's, writable by root only",
    );
  });
  it("tells whether a directory lets a sandbox user in", () => {
    assert.equal(enterableBy({ uid: 0, gid: 0, mode: 0o40700 }, sb), false);
    assert.equal(enterableBy({ uid: 0, gid: 0, mode: 0o40711 }, sb), true);
    assert.equal(enterableBy({ uid: 0, gid: 995, mode: 0o40750 }, sb), true);
    assert.equal(enterableBy({ uid: 0, gid: 7, mode: 0o40750 }, sb), false);
  });
});
