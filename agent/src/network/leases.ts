// DHCP leases as events: dnsmasq rewrites its lease file on every grant, and an inotify watch on
// the network's directory turns that into an address within milliseconds, with no polling.
import { EventEmitter } from "node:events";
import * as fs from "node:fs";

export interface Lease {
  expiry: number;
  mac: string;
  ip: string;
  hostname: string;
}

/** Parses dnsmasq's lease file: `<expiry> <mac> <ip> <hostname|*> <client-id|*>` per line. */
export function parseLeases(text: string): Lease[] {
  const out: Lease[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+$/.test(f[0]!)) continue;
    out.push({
      expiry: Number(f[0]),
      mac: f[1]!.toLowerCase(),
      ip: f[2]!,
      hostname: f[3] === "*" ? "" : f[3]!,
    });
  }
  return out;
}

export class LeaseWatch extends EventEmitter {
  private watcher?: fs.FSWatcher;
  private leases = new Map<string, Lease>();

  constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {
    super();
  }

  start(): void {
    this.reload();
    fs.mkdirSync(this.dir, { recursive: true });
    this.watcher = fs.watch(this.dir, (_event, name) => {
      if (name === null || this.file.endsWith(`/${name}`)) this.reload();
    });
    this.watcher.on("error", () => undefined);
  }

  private reload(): void {
    let text = "";
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return;
    }
    for (const l of parseLeases(text)) {
      const old = this.leases.get(l.mac);
      this.leases.set(l.mac, l);
      if (!old || old.ip !== l.ip || old.expiry !== l.expiry) this.emit("lease", l);
    }
  }

  get(mac: string): Lease | undefined {
    return this.leases.get(mac);
  }

  stop(): void {
    this.watcher?.close();
    this.removeAllListeners();
  }
}
