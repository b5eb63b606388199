// Local QEMU virtual machines with isolated networks, NAT, DHCP and DNS, driven by the qvmd agent.
package qemu
