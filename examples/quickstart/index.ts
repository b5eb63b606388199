// The quick start: a network, one image, two VMs. `web` gets its address by DHCP and boots from
// the image's disk; `db` has a static address from its network-config and boots the image's kernel
// and initrd directly. Both addresses are outputs when `pulumi up` returns.
// A DNS forwarder on the network answers dev.internal (web.dev.internal, db.dev.internal) and
// forwards the rest to the host's resolver (or to `dnsUpstreams`).
// Config (optional): guestDir (default $QEMU_GUEST_DIR), sshPublicKey, webMemoryMb, webRunning,
// cidr, dnsUpstreams (JSON list of address[:port]).
import * as pulumi from "@pulumi/pulumi";
import * as qemu from "pulumi-qemu";

export = async () => {
  const cfg = new pulumi.Config();
  const guestDir = cfg.get("guestDir") ?? process.env.QEMU_GUEST_DIR;
  if (!guestDir)
    throw new Error(
      "set qemu-quickstart:guestDir or QEMU_GUEST_DIR to a built guest (scripts/guest/build.sh)",
    );
  const keys = cfg.get("sshPublicKey") ? [cfg.get("sshPublicKey")!] : [];

  const net = new qemu.Network("dev", { cidr: cfg.get("cidr") ?? "192.168.72.0/24" });
  const disk = new qemu.Image("tiny-disk", { source: `file://${guestDir}/disk.qcow2` });
  const direct = new qemu.Image("tiny-direct", {
    source: `file://${guestDir}/disk.qcow2`,
    kernel: `file://${guestDir}/vmlinuz`,
    initrd: `file://${guestDir}/initrd.img`,
    cmdline: "console=ttyS0 quiet",
  });

  const web = new qemu.Instance("web", {
    imageId: disk.id,
    hostname: "web",
    memoryMb: cfg.getNumber("webMemoryMb") ?? 256,
    running: cfg.getBoolean("webRunning") ?? true,
    networks: [{ networkId: net.id }],
    sshAuthorizedKeys: keys,
    // `up` returns once SSH answers, not merely once the guest has an address.
    waitFor: "ssh",
  });

  const staticIp = net.gateway.apply((gw) => gw.replace(/\.\d+$/, ".20"));
  const db = new qemu.Instance("db", {
    imageId: direct.id,
    hostname: "db",
    memoryMb: 256,
    // ...and this one once cloud-init (its user-data) has finished.
    waitFor: "cloudInit",
    networks: [{ networkId: net.id }],
    sshAuthorizedKeys: keys,
    networkConfig: pulumi.interpolate`version: 2
ethernets:
  eth0:
    addresses: [${staticIp}/24]
    gateway4: ${net.gateway}
    nameservers:
      addresses: [${net.gateway}]
`,
  });

  const dns = new qemu.DnsForwarder("dns", {
    networkId: net.id,
    zone: "dev.internal",
    upstreams: cfg.getObject<string[]>("dnsUpstreams"),
  });
  const fqdn = (i: qemu.Instance) => pulumi.interpolate`${i.hostname}.${dns.zone}`;

  return {
    network: { name: net.name, cidr: net.cidr, gateway: net.gateway },
    dns: { address: dns.address, zone: dns.zone },
    web: { id: web.id, fqdn: fqdn(web), ipAddresses: web.ipAddresses, state: web.state },
    db: { id: db.id, fqdn: fqdn(db), ipAddresses: db.ipAddresses, state: db.state },
  };
};
