// qvmctl's tables, from what qvmd answers: the columns a person needs to find and recover objects.
import * as assert from "node:assert/strict";
import type { Instance, Network } from "@pulumi-qemu/api";
import { kindOf, renderInventory, table } from "../../../agent/src/ctl/format";

const network = {
  spec: { id: "dev", cidr: "10.9.0.0/24", gateway: "10.9.0.1", dhcp: { enabled: true }, owner: "urn:a" },
  namespace: "qvm-dev",
  dhcp_range_start: "10.9.0.2",
  dhcp_range_end: "10.9.0.253",
  firewall_state: "ok",
  drift: [],
} as unknown as Network;

const instance = (id: string, state: string, pid: number, ips: string[]) =>
  ({
    spec: {
      id,
      image_id: "img",
      cpus: 1,
      memory_mb: 64,
      owner: `urn:pulumi:s::p::qemu:index:Instance::${id}`,
    },
    state,
    pid,
    nics: ips.map((ip) => ({ network_id: "dev", bridge_id: "", ip })),
  }) as unknown as Instance;

describe("qvmctl output", () => {
  it("aligns columns and marks empty cells", () => {
    assert.equal(
      table(
        ["ID", "STATE", "OWNER"],
        [
          ["a", "running", "x"],
          ["bbbb", "", "y"],
        ],
      ),
      "ID    STATE    OWNER\na     running  x\nbbbb  -        y",
    );
  });

  it("lists instances with state, pid, addresses and owner, and says when a kind is empty", () => {
    const out = renderInventory(
      {
        networks: [network],
        instances: [instance("a1e07e1e", "running", 4242, ["10.9.0.5"]), instance("b2", "stopped", 0, [""])],
        images: [],
        "dns-forwarders": [],
        bridges: [],
      },
      ["networks", "instances", "images"],
    );
    const lines = out.split("\n");
    assert.equal(lines[0], "NETWORKS");
    assert.match(
      lines[2]!,
      /^dev\s+10\.9\.0\.0\/24\s+10\.9\.0\.1\s+qvm-dev\s+10\.9\.0\.2-10\.9\.0\.253\s+ok\s+-\s+urn:a$/,
    );
    assert.equal(lines[4], "INSTANCES");
    assert.match(lines[5]!, /^ID\s+STATE\s+PID\s+ADDRESSES\s+ON\s+IMAGE\s+CPUS\s+MEMORY\s+OWNER$/);
    assert.match(
      lines[6]!,
      /^a1e07e1e\s+running\s+4242\s+10\.9\.0\.5\s+dev\s+img\s+1\s+64M\s+urn:pulumi:.*::a1e07e1e$/,
    );
    assert.match(lines[7]!, /^b2\s+stopped\s+-\s+-\s+dev/);
    assert.deepEqual(lines.slice(9), ["IMAGES", "(none)"]);
  });

  it("takes kinds as people type them", () => {
    assert.equal(kindOf("instance"), "instances");
    assert.equal(kindOf("VM"), "instances");
    assert.equal(kindOf("dns"), "dns-forwarders");
    assert.equal(kindOf("net"), "networks");
    assert.equal(kindOf("volume"), undefined);
  });
});
