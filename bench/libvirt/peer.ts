// The bench's side of peer.py (python3-libvirt, one request and one answer per line, in order) and
// the XML of what it asks libvirt to make.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";

export const VMNET = "qvx-lvnet";

export interface PeerAnswer {
  ok: boolean;
  error?: string;
  ms?: number;
  phases?: Record<string, number>;
  ip?: string | null;
  polls?: number;
  found_wall?: number;
}

/** The python3-libvirt side (peer.py): one request, one answer, in order. */
export class Peer {
  private readonly proc;
  private readonly lines: AsyncIterator<string>;
  constructor(uri: string) {
    // Debian's python3: python3-libvirt is installed for it, whatever python3 is first on PATH.
    this.proc = spawn("/usr/bin/python3", [path.join(__dirname, "peer.py"), uri], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.proc.stdin.on("error", () => undefined); // a dead peer shows up as `done` below
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async call(op: string, args: Record<string, unknown> = {}): Promise<PeerAnswer> {
    this.proc.stdin.write(JSON.stringify({ op, ...args }) + "\n");
    const l = await this.lines.next();
    if (l.done) throw new Error(`libvirt peer exited during ${op}`);
    const a = JSON.parse(l.value) as PeerAnswer;
    if (!a.ok) throw new Error(`libvirt ${op}: ${a.error}`);
    return a;
  }
  close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    const gone = new Promise((r) => this.proc.once("exit", r));
    this.proc.stdin.end();
    return gone.then(() => undefined);
  }
}

export const netXml = (name: string, bridge: string, net: string, dhcp: boolean) =>
  `<network><name>${name}</name><forward mode='nat'/><bridge name='${bridge}'/><dns enable='no'/>` +
  `<ip address='${net}.1' netmask='255.255.255.0'>` +
  (dhcp ? `<dhcp><range start='${net}.2' end='${net}.253'/></dhcp>` : "") +
  `</ip></network>`;

export function domainXml(name: string, pool: string, mac: string, memMb: number): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>${memMb}</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type><kernel>${pool}/vmlinuz</kernel>
    <initrd>${pool}/initrd.img</initrd><cmdline>console=ttyS0</cmdline></os>
  <features><acpi/></features><cpu mode='maximum' check='none'/>
  <devices>
    <controller type='usb' model='none'/><memballoon model='none'/>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='${pool}/${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='${pool}/${name}-seed.iso'/><target dev='vdb' bus='virtio'/><readonly/></disk>
    <interface type='network'><source network='${VMNET}'/><mac address='${mac}'/>
      <model type='virtio'/><rom enabled='no'/></interface>
    <serial type='file'><source path='${pool}/${name}.serial'/><target port='0'/></serial>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices></domain>`;
}
