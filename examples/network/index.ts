// An isolated network: namespace + bridge + NAT + DHCP, with one reserved address.
// Config (all optional): cidr, reservations ([{mac, ip, hostname}]), name.
import * as pulumi from "@pulumi/pulumi";
import * as qemu from "pulumi-qemu";

interface Reservation {
  mac: string;
  ip: string;
  hostname?: string;
}

export = async () => {
  const cfg = new pulumi.Config();
  const cidr = cfg.get("cidr") ?? "192.168.71.0/24";
  const reservations = cfg.getObject<Reservation[]>("reservations") ?? [
    { mac: "52:54:00:71:00:10", ip: "192.168.71.10", hostname: "web" },
  ];
  const net = new qemu.Network("dev", { name: cfg.get("name"), cidr, dhcp: { reservations }, nat: true });
  return {
    name: net.name,
    cidr: net.cidr,
    namespace: net.namespace,
    bridge: net.bridge,
    hostInterface: net.hostInterface,
    gateway: net.gateway,
    dhcpRange: net.dhcpRange,
    reservations: net.dhcp.apply((d) => d?.reservations ?? []),
  };
};
