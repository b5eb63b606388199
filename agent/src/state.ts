// Durable agent state: one JSON document written atomically after every change. It records what
// the agent owns, so a restarted (or crashed) agent can re-assert and clean up everything. Specs are
// recorded as the wire's messages with defaults filled in (each resource's spec shape is checked
// against them), and are validated again whenever they are read back.
import type { wire } from "@pulumi-qemu/api";
import * as fs from "node:fs";
import type { StatePaths } from "./constants";
import { writeFileAtomic } from "./util/atomic";
import { Mutex } from "./util/lock";

/** Every object records who created it: see "Callers and ownership" in api/proto/qvmd.proto. */
interface OwnedRecord {
  /** The creating caller's uid; absent in records from before ownership (then: root's). */
  uid?: number;
}

export interface NetworkRecord extends OwnedRecord {
  spec: wire.NetworkSpec__Output;
  createdAt: string;
}

export interface ImageRecord extends OwnedRecord {
  spec: wire.ImageSpec__Output;
  sha256: string;
  format: "qcow2" | "raw";
  sizeBytes: number;
  virtualSizeBytes: number;
  kernelSha256?: string;
  initrdSha256?: string;
  createdAt: string;
}

/** Bytes a caller uploaded, held for that uid until `expiresAt` (or while an image uses them). */
export interface UploadRecord {
  uid: number;
  sha256: string;
  sizeBytes: number;
  expiresAt: string;
}

export interface InstanceRecord extends OwnedRecord {
  spec: wire.InstanceSpec__Output;
  /** Blobs the instance's disk and boot files use; kept while the instance exists. */
  blobs: string[];
  diskGb: number;
  /** Last addresses discovered per MAC (from leases or ARP), so a restart still knows them. */
  addresses: Record<string, { ip: string; source: "dhcp" | "arp" }>;
  /** Hash of what QEMU was last started with (cpus, memory, NICs, ...); a change means a restart. */
  launchKey: string;
  createdAt: string;
}

export interface TemplateRecord extends OwnedRecord {
  spec: wire.TemplateSpec__Output;
  /** building until the state is saved; a record left building is rebuilt from scratch. */
  status: "building" | "ready" | "failed";
  /** Blobs the template's disk and boot files use (kernel, initrd): kept while it exists. */
  blobs: string[];
  imageId: string;
  accel: "kvm" | "tcg";
  /** What clones must match exactly (QEMU restores only into the same machine). */
  machine: { arch: "x86_64" | "aarch64"; cpus: number; memoryMb: number; machine: string };
  /** The boot files QEMU loaded (their sizes are part of the saved state): clones load the same. */
  boot: { kernel?: string; initrd?: string; cmdline?: string };
  bootMs: number;
  saveMs: number;
  createdAt: string;
}

export interface DnsForwarderRecord extends OwnedRecord {
  spec: wire.DnsForwarderSpec__Output;
  createdAt: string;
}

export interface BridgeRecord extends OwnedRecord {
  spec: wire.BridgeSpec__Output;
  /** The uplink's IPv4 addresses (a.b.c.d/p) and routes as they were, recorded before the move. */
  uplinkAddresses: string[];
  uplinkRoutes: Array<{ dst: string; gateway?: string; metric?: number }>;
  /** Whether qvmd created the bridge (else it was adopted and is never deleted). */
  created: boolean;
  /** Whether `address` was on the bridge before qvmd (then it is never removed). */
  addressExisted?: boolean;
  createdAt: string;
}

export interface StateDoc {
  version: 1;
  bridges: Record<string, BridgeRecord>;
  dnsForwarders: Record<string, DnsForwarderRecord>;
  networks: Record<string, NetworkRecord>;
  images: Record<string, ImageRecord>;
  instances: Record<string, InstanceRecord>;
  templates: Record<string, TemplateRecord>;
  /** Keyed by `${uid}:${sha256}`. */
  uploads: Record<string, UploadRecord>;
  host: {
    /** ip_forward before our first network, restored when the last one goes. */
    ipForwardBefore?: string;
  };
}

export class StateStore {
  private doc: StateDoc;
  private readonly writes = new Mutex();

  constructor(private readonly p: StatePaths) {
    this.doc = StateStore.load(p.stateFile);
  }

  private static load(file: string): StateDoc {
    const empty: StateDoc = {
      version: 1,
      networks: {},
      images: {},
      instances: {},
      templates: {},
      dnsForwarders: {},
      bridges: {},
      uploads: {},
      host: {},
    };
    if (!fs.existsSync(file)) return empty;
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as StateDoc;
    if (doc.version !== 1) throw new Error(`${file}: unsupported state version ${String(doc.version)}`);
    return { ...empty, ...doc };
  }

  get networks(): Readonly<Record<string, NetworkRecord>> {
    return this.doc.networks;
  }

  get images(): Readonly<Record<string, ImageRecord>> {
    return this.doc.images;
  }

  get instances(): Readonly<Record<string, InstanceRecord>> {
    return this.doc.instances;
  }

  get templates(): Readonly<Record<string, TemplateRecord>> {
    return this.doc.templates;
  }

  get bridges(): Readonly<Record<string, BridgeRecord>> {
    return this.doc.bridges;
  }

  get dnsForwarders(): Readonly<Record<string, DnsForwarderRecord>> {
    return this.doc.dnsForwarders;
  }

  get uploads(): Readonly<Record<string, UploadRecord>> {
    return this.doc.uploads;
  }

  get host(): Readonly<StateDoc["host"]> {
    return this.doc.host;
  }

  /**
   * Applies `mutate` to the latest document and persists it. Updates from concurrent operations
   * (two instances created at once) are serialised, each starting from the previous one's result,
   * so none is lost.
   */
  update(mutate: (doc: StateDoc) => void): Promise<void> {
    return this.writes.run(async () => {
      const next = structuredClone(this.doc);
      mutate(next);
      await writeFileAtomic(this.p.stateFile, JSON.stringify(next, null, 2) + "\n", 0o600);
      this.doc = next;
    });
  }
}
