// The guest's YAML subset flattener (scripts/guest/yaml-flat.awk), run with the host's busybox awk
// (the same awk the guest runs).
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { useLeakCheck } from "../../helpers/leaks";
import { execa, repoRoot } from "./vm";

useLeakCheck();

async function flat(yaml: string): Promise<string[]> {
  const r = await execa("busybox", ["awk", "-f", path.join(repoRoot, "scripts/guest/yaml-flat.awk")], {
    input: yaml,
  });
  return String(r.stdout)
    .split("\n")
    .filter((l) => l !== "");
}

describe("guest yaml-flat.awk", () => {
  it("flattens cloud-config lists, quoted scalars and list items that are maps", async () => {
    const out = await flat(
      [
        "#cloud-config",
        "hostname: web-1",
        "ssh_authorized_keys:",
        "  - ssh-ed25519 AAAAC3 me@host",
        "runcmd:",
        "- echo hello",
        "- 'echo \"a: b\" > /tmp/x'",
        "- [ls, -l]",
        "users:",
        "  - name: root",
        "    ssh_authorized_keys:",
        "      - k1",
        "  - default",
        "final: x",
      ].join("\n"),
    );
    assert.deepEqual(out, [
      "hostname=web-1",
      "ssh_authorized_keys.0=ssh-ed25519 AAAAC3 me@host",
      "runcmd.0=echo hello",
      'runcmd.1=echo "a: b" > /tmp/x',
      "runcmd.2.0=ls",
      "runcmd.2.1=-l",
      "users.0.name=root",
      "users.0.ssh_authorized_keys.0=k1",
      "users.1=default",
      "final=x",
    ]);
  });

  it("flattens network-config v2 with a `network:` wrapper and flow lists", async () => {
    const out = await flat(
      [
        "network:",
        "  version: 2",
        "  ethernets:",
        "    eth0:",
        "      match:",
        '        macaddress: "52:54:00:12:34:56"',
        "      addresses: [192.168.71.20/24, 192.168.71.21/24]",
        "      routes:",
        "        - to: default",
        "          via: 192.168.71.1",
        "      nameservers:",
        "        addresses:",
        "          - 192.168.71.1",
      ].join("\n"),
    );
    assert.deepEqual(out, [
      "network.version=2",
      "network.ethernets.eth0.match.macaddress=52:54:00:12:34:56",
      "network.ethernets.eth0.addresses.0=192.168.71.20/24",
      "network.ethernets.eth0.addresses.1=192.168.71.21/24",
      "network.ethernets.eth0.routes.0.to=default",
      "network.ethernets.eth0.routes.0.via=192.168.71.1",
      "network.ethernets.eth0.nameservers.addresses.0=192.168.71.1",
    ]);
  });
});
