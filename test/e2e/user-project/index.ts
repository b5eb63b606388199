// A user's first stack in TypeScript (test/e2e/install.test.ts copies this folder out of the
// checkout): a network, an image and a VM whose address is an output when `up` returns.
import * as pulumi from "@pulumi/pulumi";
import * as qemu from "pulumi-qemu";

export default async () => {
  const cfg = new pulumi.Config();
  const net = new qemu.Network("net", { cidr: cfg.require("cidr") });
  const image = new qemu.Image("image", { source: cfg.require("imageSource") });
  const vm = new qemu.Instance("vm", {
    imageId: image.id,
    hostname: "vm",
    memoryMb: 256,
    networks: [{ networkId: net.id }],
  });
  // Answers vm.app.internal on the network's gateway, from the DNS forwarder process qvmd forks.
  const dns = new qemu.DnsForwarder("dns", { networkId: net.id, zone: "app.internal" });
  return {
    dns: dns.address,
    network: net.name,
    gateway: net.gateway,
    ip: vm.ipAddresses.apply((a) => a[0]),
    state: vm.state,
    pid: vm.pid,
  };
};
