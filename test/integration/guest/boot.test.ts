// The qvm test guest (scripts/guest) boots under QEMU/TCG: direct kernel boot and disk boot on
// x86_64, UEFI + direct kernel boot on aarch64; it reads a NoCloud seed (hostname, SSH keys,
// runcmd, network-config), gets an address by DHCP or statically, and accepts SSH logins.
// Boot times are printed, never asserted.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useLeakCheck } from "../../helpers/leaks";
import { buildGuest, type GuestBuild } from "../../helpers/guest";
import { execa, makeSeed, TestVm } from "./vm";

useLeakCheck();

const MARKER_TIMEOUT = 240_000; // generous: TCG on a loaded 2-core machine

describe("test guest (scripts/guest) under QEMU/TCG", function () {
  this.timeout(600_000);
  let tmp: string;
  let key: string;
  let pubkey: string;
  let x86: GuestBuild;
  const vms: TestVm[] = [];
  const times: string[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pq-guest-test-"));
    key = path.join(tmp, "id_ed25519");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "guest-test", "-f", key]);
    pubkey = fs.readFileSync(`${key}.pub`, "utf8").trim();
    x86 = await buildGuest("x86_64");
  });

  afterEach(async () => {
    for (const vm of vms.splice(0)) await vm.destroy();
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (times.length > 0) console.log(`    boot times (TCG, measured):\n      ${times.join("\n      ")}`);
  });

  function cloudConfig(hostname: string | undefined, token: string): string {
    return [
      "#cloud-config",
      ...(hostname ? [`hostname: ${hostname}`] : []),
      "ssh_authorized_keys:",
      `  - ${pubkey}`,
      "runcmd:",
      `  - echo "RUNCMD-${token}-$(hostname)" > /dev/console`,
      `  - 'echo ${token} > /run/token'`,
      "",
    ].join("\n");
  }

  function vmDisk(build: GuestBuild, name: string): string {
    const disk = path.join(tmp, `${name}.qcow2`);
    fs.copyFileSync(build.disk, disk);
    return disk;
  }

  async function boot(vm: TestVm, label: string): Promise<void> {
    vms.push(vm);
    await vm.start();
    const up = await vm.waitFor(/QVM-GUEST: up\r?\n/, MARKER_TIMEOUT);
    const ip = await vm.waitFor(/QVM-GUEST: ip (\S+)\r?\n/, MARKER_TIMEOUT);
    const done = await vm.waitFor(/QVM-GUEST: runcmd done\r?\n/, MARKER_TIMEOUT);
    times.push(
      `${label}: up ${up.seconds.toFixed(1)} s, ip ${ip.seconds.toFixed(1)} s, runcmd done ${done.seconds.toFixed(1)} s`,
    );
  }

  it("x86_64 kernel+initrd: DHCP address, runcmd, SSH login with the seed's key", async () => {
    const seed = await makeSeed(path.join(tmp, "k.iso"), {
      userData: cloudConfig(undefined, "tok-k1"),
      metaData: "instance-id: i-kernel-1\nlocal-hostname: guest-kernel\n",
    });
    const vm = new TestVm({ arch: "x86_64", kernel: { ...x86 }, seed });
    await boot(vm, "x86_64 kernel+initrd, DHCP");
    assert.match(vm.serial(), /QVM-GUEST: ip 10\.0\.2\.15\r?\n/, "QEMU user networking leases 10.0.2.15");
    assert.match(vm.serial(), /RUNCMD-tok-k1-guest-kernel/);
    assert.equal((await vm.ssh(key, "hostname")).trim(), "guest-kernel");
    assert.equal((await vm.ssh(key, "cat /run/token")).trim(), "tok-k1");
    assert.match(await vm.ssh(key, "cat /etc/resolv.conf"), /nameserver 10\.0\.2\.3/);
  });

  it("x86_64 disk (qcow2, SYSLINUX): same markers, SSH, ACPI powerdown over QMP", async () => {
    const seed = await makeSeed(path.join(tmp, "d.img"), {
      userData: cloudConfig("guest-disk", "tok-d1"),
      metaData: "instance-id: i-disk-1\nlocal-hostname: ignored-by-user-data\n",
    });
    const vm = new TestVm({ arch: "x86_64", disk: vmDisk(x86, "d"), seed });
    await boot(vm, "x86_64 disk (SeaBIOS + SYSLINUX), DHCP");
    assert.match(vm.serial(), /SYSLINUX/);
    assert.match(vm.serial(), /RUNCMD-tok-d1-guest-disk/);
    assert.equal((await vm.ssh(key, "hostname")).trim(), "guest-disk");
    await vm.qmp("system_powerdown");
    assert.ok(await vm.waitExit(120_000), "the guest powers off on the ACPI power button");
    assert.match(vm.serial(), /QVM-GUEST: shutdown/);
  });

  it("x86_64 static address from network-config v2 (no DHCP)", async () => {
    const seed = await makeSeed(path.join(tmp, "s.iso"), {
      userData: cloudConfig(undefined, "tok-s1"),
      metaData: "instance-id: i-static-1\nlocal-hostname: guest-static\n",
      networkConfig: [
        "version: 2",
        "ethernets:",
        "  eth0:",
        "    dhcp4: false",
        "    addresses: [10.0.2.15/24]",
        "    gateway4: 10.0.2.2",
        "    nameservers:",
        "      addresses: [10.0.2.3]",
        "",
      ].join("\n"),
    });
    const vm = new TestVm({ arch: "x86_64", kernel: { ...x86 }, seed });
    await boot(vm, "x86_64 kernel+initrd, static v2");
    assert.match(vm.serial(), /QVM-GUEST: ip 10\.0\.2\.15\r?\n/);
    assert.equal((await vm.ssh(key, "hostname")).trim(), "guest-static");
    assert.equal((await vm.ssh(key, "pidof udhcpc || echo none")).trim(), "none", "no DHCP client runs");
    assert.match(await vm.ssh(key, "ip route show default"), /default via 10\.0\.2\.2 dev eth0/);
  });

  it("x86_64 static address from network-config v1 (by MAC), FAT seed, #! user-data script", async () => {
    const seed = await makeSeed(path.join(tmp, "v1.img"), {
      userData: '#!/bin/sh\necho "SCRIPT-tok-v1-$(hostname)" > /dev/console\n',
      metaData: "instance-id: i-v1\nlocal-hostname: guest-v1\n",
      networkConfig: [
        "version: 1",
        "config:",
        "  - type: physical",
        "    name: ens3",
        "    mac_address: '52:54:00:12:34:56'",
        "    subnets:",
        "      - type: static",
        "        address: 10.0.2.15",
        "        netmask: 255.255.255.0",
        "        gateway: 10.0.2.2",
        "  - type: nameserver",
        "    address: [10.0.2.3]",
        "",
      ].join("\n"),
    });
    const vm = new TestVm({ arch: "x86_64", kernel: { ...x86 }, seed });
    await boot(vm, "x86_64 kernel+initrd, static v1");
    assert.match(vm.serial(), /QVM-GUEST: ip 10\.0\.2\.15\r?\n/);
    assert.match(vm.serial(), /SCRIPT-tok-v1-guest-v1/);
    assert.match(vm.serial(), /QVM-GUEST: user-script rc=0/);
  });

  it("aarch64 UEFI (AAVMF) + direct kernel boot: up, DHCP address, SSH", async function () {
    this.timeout(30 * 60_000);
    const arm = await buildGuest("aarch64");
    const seed = await makeSeed(path.join(tmp, "a.iso"), {
      userData: cloudConfig(undefined, "tok-a1"),
      metaData: "instance-id: i-arm-1\nlocal-hostname: guest-arm\n",
    });
    const vm = new TestVm({ arch: "aarch64", kernel: { ...arm }, seed });
    await boot(vm, "aarch64 UEFI + kernel+initrd, DHCP");
    assert.match(vm.serial(), /QVM-GUEST: ip 10\.0\.2\.15\r?\n/);
    assert.equal((await vm.ssh(key, "uname -m")).trim(), "aarch64");
    assert.equal((await vm.ssh(key, "hostname")).trim(), "guest-arm");
  });

  it("aarch64 disk (qcow2, UEFI + systemd-boot): up and DHCP address", async function () {
    this.timeout(30 * 60_000);
    const arm = await buildGuest("aarch64");
    const seed = await makeSeed(path.join(tmp, "ad.iso"), {
      userData: cloudConfig(undefined, "tok-ad1"),
      metaData: "instance-id: i-arm-2\nlocal-hostname: guest-arm-disk\n",
    });
    const vm = new TestVm({ arch: "aarch64", disk: vmDisk(arm, "ad"), seed });
    await boot(vm, "aarch64 disk (AAVMF + systemd-boot), DHCP");
    assert.match(vm.serial(), /RUNCMD-tok-ad1-guest-arm-disk/);
  });
});
