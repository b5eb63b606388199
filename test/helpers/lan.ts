// A test "LAN": a namespace with its own DHCP server (dnsmasq), joined to the host by a veth whose
// host end `qvxup0` holds the host's LAN address 172.30.9.2/24; the LAN side is 172.30.9.1.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";

export class TestLan {
  readonly ns = "qvxlan";
  readonly uplink = "qvxup0";
  readonly hostAddress = "172.30.9.2/24";
  readonly router = "172.30.9.1";
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-lan-"));
  readonly leaseFile = path.join(this.dir, "leases");
  private dhcp?: ChildProcess;

  async start(): Promise<void> {
    await run("ip", ["netns", "add", this.ns]);
    await run("ip", [
      "link",
      "add",
      this.uplink,
      "type",
      "veth",
      "peer",
      "name",
      "qvxlan0",
      "netns",
      this.ns,
    ]);
    await run("ip", ["-n", this.ns, "addr", "add", `${this.router}/24`, "dev", "qvxlan0"]);
    await run("ip", ["-n", this.ns, "link", "set", "qvxlan0", "up"]);
    await run("ip", ["addr", "add", this.hostAddress, "dev", this.uplink]);
    await run("ip", ["link", "set", this.uplink, "up"]);
    this.dhcp = spawn(
      "ip",
      [
        ...["netns", "exec", this.ns, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0"],
        ...["--interface=qvxlan0", "--bind-interfaces", "--no-ping", "--user=root", "--pid-file="],
        "--dhcp-range=172.30.9.100,172.30.9.150,255.255.255.0,1h",
        `--dhcp-leasefile=${this.leaseFile}`,
        `--dhcp-option=option:router,${this.router}`,
      ],
      { stdio: "ignore" },
    );
  }

  async stop(): Promise<void> {
    this.dhcp?.kill();
    await run("ip", ["netns", "delete", this.ns], { reject: false });
    await run("ip", ["link", "delete", this.uplink], { reject: false });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
