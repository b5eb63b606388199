import * as assert from "node:assert/strict";
import { parseSource } from "@pulumi-qemu/api/validate";
import { resolveImage } from "../../../agent/src/image/spec";
import {
  instanceSpecShape,
  normalisedSpec,
  resolveInstance,
  USER_DATA_MAX_BYTES,
  type InstanceSpecInput,
} from "../../../agent/src/instance/spec";
import { parseLeases } from "../../../agent/src/network/leases";
import { derivedMac } from "../../../provider/src/resources/instance";

const base: InstanceSpecInput = {
  id: "vm1",
  image_id: "img1",
  nics: [{ network_id: "n1", mac: "52:54:00:00:00:01" }],
};
const prop = (s: Partial<InstanceSpecInput>) =>
  resolveInstance({ ...base, ...s }).violations.map((v) => v.property);

describe("instance spec", () => {
  it("fills defaults", () => {
    const { instance } = resolveInstance(base);
    assert.equal(instance?.cpus, 1);
    assert.equal(instance?.memory_mb, 512);
    assert.equal(instance?.accel, "auto");
    assert.equal(instance?.running, true);
  });
  it("rejects out-of-range cpus and memory, naming the property", () => {
    assert.deepEqual(prop({ cpus: 65 }), ["cpus"]);
    assert.deepEqual(prop({ cpus: 0 }), [], "0 is proto3 for unset: the default");
    assert.deepEqual(prop({ memory_mb: 16 }), ["memoryMb"]);
  });
  it("rejects user-data over the seed's limit", () => {
    assert.deepEqual(prop({ user_data: "x".repeat(USER_DATA_MAX_BYTES + 1) }), ["userData"]);
  });
  it("rejects duplicate and multicast MACs and bad IPs; allows NICs on several networks", () => {
    assert.deepEqual(
      prop({
        nics: [
          { network_id: "n1", mac: "52:54:00:00:00:01" },
          { network_id: "n1", mac: "52:54:00:00:00:01" },
        ],
      }),
      ["networks[1].mac"],
    );
    assert.deepEqual(prop({ nics: [{ network_id: "n1", mac: "01:00:5e:00:00:01" }] }), ["networks[0].mac"]);
    assert.deepEqual(prop({ nics: [{ network_id: "n1", mac: "52:54:00:00:00:01", ip: "300.1.1.1" }] }), [
      "networks[0].ip",
    ]);
    assert.deepEqual(
      prop({
        nics: [
          { network_id: "n1", mac: "52:54:00:00:00:01" },
          { network_id: "n2", mac: "52:54:00:00:00:02" },
        ],
      }),
      [],
      "NICs on two networks",
    );
  });
  it("rejects SSH keys that are not one public-key line", () => {
    assert.deepEqual(prop({ ssh_authorized_keys: ["ssh-ed25519 AAAA x\nssh-rsa AAAA y"] }), [
      "sshAuthorizedKeys[0]",
    ]);
  });
});

describe("instance spec as recorded (finding 13)", () => {
  it("stores MACs, addresses and forwards in the spelling every consumer expects", () => {
    const raw = {
      id: "a",
      image_id: "i",
      nics: [{ network_id: "n", mac: " 52:54:00:AA:BB:01\n\t", ip: "10.0.0.5" }],
      port_forwards: [{ host_port: 2222, guest_port: 22 }],
    };
    const { instance } = resolveInstance(raw);
    const spec = normalisedSpec(instanceSpecShape.parse(raw), instance!);
    assert.equal(spec.nics[0]!.mac, "52:54:00:aa:bb:01");
    assert.equal(spec.nics[0]!.ip, "10.0.0.5");
    assert.deepEqual(spec.port_forwards, [
      { host_port: 2222, guest_port: 22, protocol: "tcp", host_address: "" },
    ]);
    const again = resolveInstance(spec).instance!;
    assert.deepEqual([again.nics, again.forwards], [instance!.nics, instance!.forwards], "resolves the same");
  });
});

describe("image spec", () => {
  it("accepts file and http(s) sources, refuses traversal, hosts in file URLs and other schemes", () => {
    assert.ok(parseSource("file:///images/a.qcow2") instanceof URL);
    assert.ok(parseSource("https://example.invalid/a.qcow2") instanceof URL);
    assert.match(parseSource("file:///images/../etc/shadow") as string, /"\." or "\.\." path segments/);
    assert.match(parseSource("file://host/etc") as string, /must not name a host/);
    assert.match(parseSource("ftp://x/y") as string, /unsupported scheme/);
    assert.ok(parseSource(`sha256:${"a".repeat(64)}`) instanceof URL);
    assert.match(parseSource("sha256:abc") as string, /64 lower-case hexadecimal/);
    assert.match(parseSource("file:///images/a%zz.qcow2") as string, /malformed %-escape/);
  });
  it("refuses local files on qvmd's side, in every spelling: the client uploads them", () => {
    for (const source of ["file:///etc/shadow", "file:/etc/shadow", "FILE:///etc/shadow"]) {
      const v = resolveImage({ id: "i", source }).violations;
      assert.deepEqual(
        v.map((x) => [x.property, x.code]),
        [["source", "BAD_SOURCE"]],
        source,
      );
      assert.match(v[0]!.reason, /does not open local files.*UploadBlob/);
    }
  });
  it("requires uefi for aarch64 and a kernel for initrd/cmdline", () => {
    const v = resolveImage({
      id: "i",
      source: "https://example.invalid/a",
      arch: "aarch64",
      firmware: "bios",
      initrd: "https://example.invalid/i",
    }).violations;
    assert.deepEqual(v.map((x) => x.property).sort(), ["firmware", "initrd"]);
  });
});

describe("leases and MACs", () => {
  it("parses dnsmasq's lease file", () => {
    const l = parseLeases(
      "1764000000 52:54:00:AA:00:01 10.0.0.5 web 01:52:54:00:aa:00:01\n1764000001 52:54:00:aa:00:02 10.0.0.6 * *\ngarbage\n",
    );
    assert.deepEqual(l, [
      { expiry: 1764000000, mac: "52:54:00:aa:00:01", ip: "10.0.0.5", hostname: "web" },
      { expiry: 1764000001, mac: "52:54:00:aa:00:02", ip: "10.0.0.6", hostname: "" },
    ]);
  });
  it("derives stable, distinct, unicast MACs from the URN and NIC index", () => {
    const a = derivedMac("urn:pulumi:s::p::qemu:index:Instance::web", 0);
    assert.equal(a, derivedMac("urn:pulumi:s::p::qemu:index:Instance::web", 0));
    assert.notEqual(a, derivedMac("urn:pulumi:s::p::qemu:index:Instance::web", 1));
    assert.match(a, /^52:54:00:([0-9a-f]{2}:){2}[0-9a-f]{2}$/);
  });
});
