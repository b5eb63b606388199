// The quick start in Go: a network, one image, two VMs. `web` gets its address by DHCP and boots
// from the image's disk; `db` has a static address from its network-config and boots the image's
// kernel and initrd directly. Both addresses are outputs when `pulumi up` returns. A DNS forwarder
// on the network answers dev.internal (web.dev.internal, db.dev.internal) and forwards the rest.
//
// Config (optional): guestDir (default $QEMU_GUEST_DIR), sshPublicKey, webMemoryMb, webRunning,
// cidr, dnsUpstreams (JSON list of address[:port]).
package main

import (
	"errors"
	"os"
	"strings"

	"github.com/pulumi-qemu/pulumi-qemu/sdk/go/qemu"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(quickstart)
}

func quickstart(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	guestDir := cfg.Get("guestDir")
	if guestDir == "" {
		guestDir = os.Getenv("QEMU_GUEST_DIR")
	}
	if guestDir == "" {
		return errors.New("set qemu-quickstart-go:guestDir or QEMU_GUEST_DIR to a built guest (scripts/guest/build.sh)")
	}
	keys := pulumi.StringArray{}
	if key := cfg.Get("sshPublicKey"); key != "" {
		keys = append(keys, pulumi.String(key))
	}
	cidr := cfg.Get("cidr")
	if cidr == "" {
		cidr = "192.168.72.0/24"
	}
	webMemoryMb := cfg.GetInt("webMemoryMb")
	if webMemoryMb == 0 {
		webMemoryMb = 256
	}
	webRunning, err := cfg.TryBool("webRunning")
	if err != nil {
		webRunning = true
	}

	net, err := qemu.NewNetwork(ctx, "dev", &qemu.NetworkArgs{Cidr: pulumi.String(cidr)})
	if err != nil {
		return err
	}
	disk, err := qemu.NewImage(ctx, "tiny-disk", &qemu.ImageArgs{
		Source: pulumi.String("file://" + guestDir + "/disk.qcow2"),
	})
	if err != nil {
		return err
	}
	direct, err := qemu.NewImage(ctx, "tiny-direct", &qemu.ImageArgs{
		Source:  pulumi.String("file://" + guestDir + "/disk.qcow2"),
		Kernel:  pulumi.String("file://" + guestDir + "/vmlinuz"),
		Initrd:  pulumi.String("file://" + guestDir + "/initrd.img"),
		Cmdline: pulumi.String("console=ttyS0 quiet"),
	})
	if err != nil {
		return err
	}

	web, err := qemu.NewInstance(ctx, "web", &qemu.InstanceArgs{
		ImageId:           disk.ID(),
		Hostname:          pulumi.String("web"),
		MemoryMb:          pulumi.Int(webMemoryMb),
		Running:           pulumi.Bool(webRunning),
		Networks:          qemu.InstanceNicArray{qemu.InstanceNicArgs{NetworkId: net.ID()}},
		SshAuthorizedKeys: keys,
	})
	if err != nil {
		return err
	}

	staticIP := net.Gateway.ApplyT(func(gw string) string {
		return gw[:strings.LastIndex(gw, ".")] + ".20"
	}).(pulumi.StringOutput)
	db, err := qemu.NewInstance(ctx, "db", &qemu.InstanceArgs{
		ImageId:           direct.ID(),
		Hostname:          pulumi.String("db"),
		MemoryMb:          pulumi.Int(256),
		Networks:          qemu.InstanceNicArray{qemu.InstanceNicArgs{NetworkId: net.ID()}},
		SshAuthorizedKeys: keys,
		NetworkConfig: pulumi.Sprintf(`version: 2
ethernets:
  eth0:
    addresses: [%[1]s/24]
    gateway4: %[2]s
    nameservers:
      addresses: [%[2]s]
`, staticIP, net.Gateway),
	})
	if err != nil {
		return err
	}

	var upstreams []string
	if err := cfg.TryObject("dnsUpstreams", &upstreams); err != nil && !errors.Is(err, config.ErrMissingVar) {
		return err
	}
	dnsArgs := &qemu.DnsForwarderArgs{NetworkId: net.ID(), Zone: pulumi.String("dev.internal")}
	if len(upstreams) > 0 {
		dnsArgs.Upstreams = pulumi.ToStringArray(upstreams)
	}
	dns, err := qemu.NewDnsForwarder(ctx, "dns", dnsArgs)
	if err != nil {
		return err
	}

	vm := func(i *qemu.Instance) pulumi.Map {
		return pulumi.Map{
			"id":          i.ID(),
			"fqdn":        pulumi.Sprintf("%s.%s", i.Hostname.Elem(), dns.Zone.Elem()),
			"ipAddresses": i.IpAddresses,
			"state":       i.State,
		}
	}
	ctx.Export("network", pulumi.Map{"name": net.Name, "cidr": net.Cidr, "gateway": net.Gateway})
	ctx.Export("dns", pulumi.Map{"address": dns.Address, "zone": dns.Zone})
	ctx.Export("web", vm(web))
	ctx.Export("db", vm(db))
	return nil
}
