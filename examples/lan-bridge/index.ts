// Two ways into a VM from the LAN:
//   - `lanvm` sits on a host bridge that enslaves the host's LAN NIC (`uplink`): it gets its
//     address from the LAN's own DHCP server, and qvmd finds that address by ARP;
//   - `web` sits on a NAT network; the host's port `webPort` is forwarded to its port 80.
// Config: uplink (required: the host NIC to enslave; its address moves to the bridge and back),
// bridgeName (default qvbr0), cidr, webPort (default 8080), guestDir (default $QEMU_GUEST_DIR),
// sshPublicKey (for root on both VMs).
import * as pulumi from "@pulumi/pulumi";
import * as qemu from "pulumi-qemu";

export = async () => {
  const cfg = new pulumi.Config();
  const guestDir = cfg.get("guestDir") ?? process.env.QEMU_GUEST_DIR;
  if (!guestDir)
    throw new Error(
      "set qemu-lan-bridge:guestDir or QEMU_GUEST_DIR to a built guest (scripts/guest/build.sh)",
    );

  const lan = new qemu.Bridge("lan", {
    name: cfg.get("bridgeName") ?? "qvbr0",
    uplink: cfg.require("uplink"),
  });
  const nat = new qemu.Network("nat", { cidr: cfg.get("cidr") ?? "192.168.73.0/24" });
  const img = new qemu.Image("tiny", {
    source: `file://${guestDir}/disk.qcow2`,
    kernel: `file://${guestDir}/vmlinuz`,
    initrd: `file://${guestDir}/initrd.img`,
    cmdline: "console=ttyS0 quiet",
  });

  const keys = cfg.get("sshPublicKey") ? [cfg.get("sshPublicKey")!] : [];
  const lanvm = new qemu.Instance("lanvm", {
    imageId: img.id,
    hostname: "lanvm",
    memoryMb: 256,
    networks: [{ bridgeId: lan.id }],
    sshAuthorizedKeys: keys,
  });
  const webPort = cfg.getNumber("webPort") ?? 8080;
  const web = new qemu.Instance("web", {
    imageId: img.id,
    hostname: "web",
    memoryMb: 256,
    networks: [{ networkId: nat.id }],
    sshAuthorizedKeys: keys,
    portForwards: [{ hostPort: webPort, guestPort: 80 }],
  });

  return {
    bridge: { name: lan.name, addresses: lan.addresses },
    lanvm: { id: lanvm.id, ipAddresses: lanvm.ipAddresses },
    web: { id: web.id, ipAddresses: web.ipAddresses, hostPort: webPort },
  };
};
