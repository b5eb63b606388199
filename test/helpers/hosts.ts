// Test hosts in network namespaces of their own (named qvx*): a "guest" plugged into a network's
// bridge with a real DHCP client, and an "outside" host routed through the root namespace.
import { spawn } from "node:child_process";
import { run } from "../../agent/src/util/exec";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const sh = (args: string[]) => run(args[0]!, args.slice(1));

export async function ns(name: string, ...cmd: string[]) {
  return run("ip", ["netns", "exec", name, ...cmd], { reject: false });
}

const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface"
    echo "ip=$ip router=$router dns=$dns lease=$lease" > "$LEASE_FILE" ;;
esac
`;

export class Guest {
  readonly leaseFile: string;
  private readonly script: string;

  constructor(
    readonly name: string, // qvx...
    readonly mac: string,
  ) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `qvx-${name}-`));
    this.script = path.join(dir, "udhcpc.sh");
    this.leaseFile = path.join(dir, "lease");
    fs.writeFileSync(this.script, UDHCPC_SCRIPT, { mode: 0o755 });
  }

  /**
   * Plugs the guest into `bridge` inside `netns` (a network of ours). `port` names the bridge's end;
   * naming it like an instance's TAP (qvt<id><n>) puts the guest behind that NIC's guest fence.
   */
  async plug(netns: string, bridge: string, port = `${this.name}p`): Promise<void> {
    await sh(["ip", "netns", "add", this.name]);
    await sh([
      "ip",
      "link",
      "add",
      `${this.name}g`,
      "netns",
      this.name,
      "address",
      this.mac,
      "type",
      "veth",
      "peer",
      "name",
      port,
      "netns",
      netns,
    ]);
    await sh(["ip", "-n", netns, "link", "set", port, "master", bridge, "up"]);
    await sh(["ip", "-n", this.name, "link", "set", "lo", "up"]);
    await sh(["ip", "-n", this.name, "link", "set", `${this.name}g`, "up"]);
  }

  /** Runs busybox udhcpc once; returns the lease line or throws with udhcpc's output. */
  async dhcp(): Promise<{ ip: string; router: string; dns: string }> {
    fs.rmSync(this.leaseFile, { force: true });
    // The lease file path reaches the script through its environment (`env` sets it for the child).
    const r = await run(
      "env",
      [
        `LEASE_FILE=${this.leaseFile}`,
        "ip",
        "netns",
        "exec",
        this.name,
        "busybox",
        "udhcpc",
        "-i",
        `${this.name}g`,
        "-f",
        "-q",
        "-n",
        "-t",
        "8",
        "-T",
        "1",
        "-s",
        this.script,
      ],
      { reject: false },
    );
    if (!fs.existsSync(this.leaseFile)) throw new Error(`no DHCP lease: ${r.stdout}\n${r.stderr}`);
    const line = fs.readFileSync(this.leaseFile, "utf8");
    const get = (k: string) => new RegExp(`${k}=(\\S*)`).exec(line)?.[1] ?? "";
    return { ip: get("ip"), router: get("router"), dns: get("dns") };
  }

  async ping(ip: string): Promise<boolean> {
    const r = await ns(this.name, "busybox", "ping", "-c", "1", "-W", "2", ip);
    return r.exitCode === 0;
  }

  exec(...cmd: string[]) {
    return ns(this.name, ...cmd);
  }

  async destroy(): Promise<void> {
    await run("ip", ["netns", "delete", this.name], { reject: false });
    fs.rmSync(path.dirname(this.script), { recursive: true, force: true });
  }
}

/**
 * A host "outside" our networks: its own namespace joined to the root namespace by a /30 link,
 * with NO route back to any VM network, so it can only answer masqueraded traffic. It runs a TCP
 * server that replies with the address it sees the client coming from.
 */
export class OutsideHost {
  readonly ns = "qvxout";
  readonly hostSide = "172.31.250.1";
  readonly address = "172.31.250.2";
  readonly port = 7007;

  async start(): Promise<void> {
    await sh(["ip", "netns", "add", this.ns]);
    await sh(["ip", "link", "add", "qvxo0", "type", "veth", "peer", "name", "qvxo1", "netns", this.ns]);
    await sh(["ip", "addr", "add", `${this.hostSide}/30`, "dev", "qvxo0"]);
    await sh(["ip", "link", "set", "qvxo0", "up"]);
    await sh(["ip", "-n", this.ns, "addr", "add", `${this.address}/30`, "dev", "qvxo1"]);
    await sh(["ip", "-n", this.ns, "link", "set", "qvxo1", "up"]);
    await sh(["ip", "-n", this.ns, "link", "set", "lo", "up"]);
    const server = `require("net").createServer((s) => s.end(s.remoteAddress.replace(/^::ffff:/, ""))).listen(${this.port}, "${this.address}")`;
    // Detached: it dies with its namespace's cleanup (we kill it in stop()).
    spawn("ip", ["netns", "exec", this.ns, process.execPath, "-e", server, "qvx-outside"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if ((await this.seenFrom(this.ns)) !== undefined) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error("outside host server did not start");
  }

  /** Connects from `guestNs` and returns the source address the outside host saw. */
  async seenFrom(guestNs: string): Promise<string | undefined> {
    const r = await run(
      "ip",
      ["netns", "exec", guestNs, "busybox", "nc", "-w", "3", this.address, String(this.port)],
      {
        reject: false,
        input: "",
      },
    );
    return r.exitCode === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : undefined;
  }

  async stop(): Promise<void> {
    await run("pkill", ["-f", "qvx-outside"], { reject: false });
    await run("ip", ["netns", "delete", this.ns], { reject: false });
    await run("ip", ["link", "delete", "qvxo0"], { reject: false });
  }
}
