// A CI fleet: the template boots the image once and runs its user-data (here: a marker page
// served by the guest's httpd); `clones` instances are restored from it instead of booted, each
// with its own MAC, address, host name and generation id, reachable by SSH when `up` returns.
// A DNS forwarder answers <name>.ci.internal for every clone.
// Config (optional): guestDir (default $QEMU_GUEST_DIR), clones (default 3), sshPublicKey, cidr.
import * as pulumi from "@pulumi/pulumi";
import * as qemu from "pulumi-qemu";

export = async () => {
  const cfg = new pulumi.Config();
  const guestDir = cfg.get("guestDir") ?? process.env.QEMU_GUEST_DIR;
  if (!guestDir)
    throw new Error("set qemu-ci-fleet:guestDir or QEMU_GUEST_DIR to a built guest (scripts/guest/build.sh)");
  const keys = cfg.get("sshPublicKey") ? [cfg.get("sshPublicKey")!] : [];

  const net = new qemu.Network("ci", { cidr: cfg.get("cidr") ?? "192.168.73.0/24" });
  const image = new qemu.Image("tiny", {
    source: `file://${guestDir}/disk.qcow2`,
    kernel: `file://${guestDir}/vmlinuz`,
    initrd: `file://${guestDir}/initrd.img`,
    cmdline: "console=ttyS0 quiet",
  });
  const template = new qemu.InstanceTemplate("runner", {
    imageId: image.id,
    networkId: net.id,
    memoryMb: 256,
    sshAuthorizedKeys: keys,
    userData: "#cloud-config\nruncmd:\n  - echo provisioned > /var/www/provisioned.txt\n",
    waitFor: "cloudInit",
  });
  const clones = Array.from(
    { length: cfg.getNumber("clones") ?? 3 },
    (_, i) =>
      new qemu.Instance(`ci-${i}`, {
        templateId: template.id,
        hostname: `ci-${i}`,
        networks: [{ networkId: net.id }],
        waitFor: "ssh",
      }),
  );
  const dns = new qemu.DnsForwarder("dns", { networkId: net.id, zone: "ci.internal" });

  return {
    template: {
      id: template.id,
      stateBytes: template.stateBytes,
      bootMs: template.bootMs,
      saveMs: template.saveMs,
    },
    image: image.id,
    dns: dns.address,
    clones: clones.map((c) => ({ name: c.hostname, ip: c.ipAddresses, mac: c.macs, imageId: c.imageId })),
  };
};
