// Instances through a real qvmd: reservations from `nics[].ip`, cross-resource validation that
// creates nothing, in-place disk growth, a boot failure that quotes the serial log, and an aarch64
// UEFI guest that gets its address.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type InstanceSpec } from "@pulumi-qemu/api";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("qvmd instances (real QEMU guests)", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-inst-"));
  const spec = (s: Partial<InstanceSpec>): InstanceSpec => ({
    id: "v1",
    image_id: "direct",
    memory_mb: 256,
    nics: [{ network_id: "qi1", mac: "52:54:00:46:00:01", ip: "10.246.0.30" }],
    running: true,
    wait_for_ip_seconds: 120,
    ...s,
  });
  const expectError = expectAgentError;

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyNetwork({
      id: "qi1",
      cidr: "10.246.0.0/24",
      nat: true,
      dhcp: { enabled: true, reservations: [{ mac: "52:54:00:46:00:99", ip: "10.246.0.99" }] },
    });
    await c.applyImage(image);
  });
  after(async () => {
    await agent.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses bad instances, naming the property, and creates nothing", async () => {
    const c = agent.client!;
    await expectError(c.applyInstance(spec({ image_id: "nope" })), "UNKNOWN_IMAGE", "imageId");
    await expectError(
      c.applyInstance(spec({ nics: [{ network_id: "nonet", mac: "52:54:00:46:00:01" }] })),
      "UNKNOWN_NETWORK",
      "networks[0].networkId",
    );
    await expectError(
      c.applyInstance(spec({ nics: [{ network_id: "qi1", mac: "52:54:00:46:00:01", ip: "10.9.9.9" }] })),
      "OUTSIDE_CIDR",
      "networks[0].ip",
    );
    await expectError(
      c.applyInstance(spec({ nics: [{ network_id: "qi1", mac: "52:54:00:46:00:01", ip: "10.246.0.1" }] })),
      "RESERVED",
      "networks[0].ip",
    );
    await expectError(
      c.applyInstance(spec({ nics: [{ network_id: "qi1", mac: "52:54:00:46:00:01", ip: "10.246.0.99" }] })),
      "IP_TAKEN",
      "networks[0].ip",
    );
    await expectError(c.applyInstance(spec({ memory_mb: 8 })), "BAD_MEMORY", "memoryMb");
    await expectError(
      c.applyInstance(spec({ user_data: "x".repeat(1024 * 1024 + 1) })),
      "USER_DATA_TOO_LARGE",
      "userData",
    );
    await expectError(c.applyInstance(spec({ cpus: 500 })), "BAD_CPUS", "cpus");
    assert.ok(!fs.existsSync(path.join(agent.stateDir, "instances", "v1")), "no instance directory");
    assert.equal((await run("pgrep", ["-f", "qemu-system"], { reject: false })).stdout, "");
  });

  it("boots with the address asked for (a DHCP reservation) and reports it from the lease", async () => {
    const v = await agent.client!.applyInstance(spec({ disk_gb: 2 }));
    assert.equal(v.state, "running");
    assert.deepEqual(
      v.nics.map((n) => [n.ip, n.source]),
      [["10.246.0.30", "dhcp"]],
    );
    const hosts = fs.readFileSync(path.join(agent.stateDir, "networks", "qi1", "dhcp-hosts"), "utf8");
    assert.match(hosts, /52:54:00:46:00:01,10\.246\.0\.30/);
  });

  it("refuses a second instance with the same MAC or address", async () => {
    const c = agent.client!;
    await expectError(
      c.applyInstance(spec({ id: "v2", nics: [{ network_id: "qi1", mac: "52:54:00:46:00:01" }] })),
      "DUPLICATE_MAC",
      "networks[0].mac",
    );
    await expectError(
      c.applyInstance(
        spec({ id: "v2", nics: [{ network_id: "qi1", mac: "52:54:00:46:00:02", ip: "10.246.0.30" }] }),
      ),
      "IP_TAKEN",
      "networks[0].ip",
    );
  });

  it("grows the disk in place while the VM runs, and refuses to shrink it", async () => {
    const pid = (await agent.client!.getInstance("v1")).pid;
    const v = await agent.client!.applyInstance(spec({ disk_gb: 3 }));
    assert.equal(v.pid, pid, "no restart");
    assert.equal(v.disk_gb, 3);
    const info = JSON.parse(
      (
        await run("qemu-img", [
          "info",
          "-U",
          "--output=json",
          path.join(agent.stateDir, "instances", "v1", "disk.qcow2"),
        ])
      ).stdout,
    ) as { "virtual-size": number };
    assert.equal(info["virtual-size"], 3 * 1024 ** 3);
    await expectError(agent.client!.applyInstance(spec({ disk_gb: 2 })), "DISK_SHRINK", "diskGb");
  });

  it("fails when no address shows up in time, quoting the serial log tail, and deletes cleanly", async () => {
    // The guest boots but configures an address outside the network: neither a lease nor ARP
    // inside the network's range can find it.
    const networkConfig = "version: 2\nethernets:\n  eth0:\n    addresses: [10.99.0.5/24]\n";
    const e = await expectError(
      agent.client!.applyInstance(
        spec({
          id: "v3",
          nics: [{ network_id: "qi1", mac: "52:54:00:46:00:03" }],
          network_config: networkConfig,
          wait_for_ip_seconds: 25,
        }),
      ),
      "INSTANCE_NO_IP",
      "waitForIp",
    );
    assert.match(
      e.message,
      /no address for 52:54:00:46:00:03 within 25s \(the VM is running\); serial log tail:/,
    );
    assert.match(e.message, /QVM-GUEST: (up|ip 10\.99\.0\.5)/, "the tail quotes what the guest printed");
    assert.equal((await agent.client!.deleteInstance("v3")).existed, true);
  });

  it("does not take a firmware's network-boot lease for the guest's address", async () => {
    const blank = path.join(tmp, "blank.raw");
    await run("qemu-img", ["create", "-q", "-f", "raw", blank, "16M"]);
    await agent.client!.applyImage({ id: "blank", source: `file://${blank}` });
    await expectError(
      agent.client!.applyInstance(
        spec({
          id: "v4",
          image_id: "blank",
          nics: [{ network_id: "qi1", mac: "52:54:00:46:00:04" }],
          wait_for_ip_seconds: 8,
        }),
      ),
      "INSTANCE_NO_IP",
      "waitForIp",
    );
    await agent.client!.deleteInstance("v4");
    await agent.client!.deleteImage("blank");
  });

  it("boots an aarch64 guest with UEFI firmware and a private vars file, and finds its address", async () => {
    await agent.client!.applyImage(await guestImage("arm", "aarch64"));
    const v = await agent.client!.applyInstance(
      spec({
        id: "varm",
        image_id: "arm",
        nics: [{ network_id: "qi1", mac: "52:54:00:46:00:a4" }],
        wait_for_ip_seconds: 240,
      }),
    );
    assert.match(v.nics[0]!.ip, /^10\.246\.0\.\d+$/);
    const cmdline = fs.readFileSync(`/proc/${v.pid}/cmdline`, "utf8").split("\0");
    assert.equal(cmdline[0], "qemu-system-aarch64");
    assert.ok(cmdline.includes("virt"), cmdline.join(" "));
    assert.ok(fs.existsSync(path.join(agent.stateDir, "instances", "varm", "efivars.fd")));
    await agent.client!.deleteInstance("varm");
  });

  it("puts NICs on two networks, each on its own bridge, and finds both addresses", async () => {
    await agent.client!.applyNetwork({
      id: "qi2",
      cidr: "10.248.0.0/24",
      nat: true,
      dhcp: { enabled: true },
    });
    const v = await agent.client!.applyInstance(
      spec({
        id: "v5",
        nics: [
          { network_id: "qi1", mac: "52:54:00:46:00:05" },
          { network_id: "qi2", mac: "52:54:00:48:00:05" },
        ],
      }),
    );
    assert.match(v.nics[0]!.ip, /^10\.246\.0\.\d+$/);
    assert.match(v.nics[1]!.ip, /^10\.248\.0\.\d+$/);
    const second = await run("ip", ["-n", "qvm-qi2", "-o", "link", "show", "dev", "qvtv51"]);
    assert.match(second.stdout, /master qvmqi2b/, "the second TAP sits on the second network's bridge");
    await agent.client!.deleteInstance("v5");
    await agent.client!.deleteNetwork("qi2");
  });

  it("deletes the instance: QEMU, TAP and files are gone", async () => {
    assert.equal((await agent.client!.deleteInstance("v1")).existed, true);
    assert.ok(!fs.existsSync(path.join(agent.stateDir, "instances", "v1")));
    const taps = await run("ip", ["-n", "qvm-qi1", "-o", "link", "show"]);
    assert.ok(!taps.stdout.includes("qvtv1"), taps.stdout);
    const hosts = fs.readFileSync(path.join(agent.stateDir, "networks", "qi1", "dhcp-hosts"), "utf8");
    assert.ok(!hosts.includes("52:54:00:46:00:01"), "its reservation is gone");
  });
});
