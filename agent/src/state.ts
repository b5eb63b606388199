// Durable agent state: one JSON document written atomically after every change. It records what
// the agent owns, so a restarted (or crashed) agent can re-assert and clean up everything. Specs are
// recorded as the wire's messages with defaults filled in (each resource's spec shape is checked
// against them), and are validated again whenever they are read back.
import type { wire } from "@pulumi-qemu/api";
import * as fs from "node:fs";
import type { StatePaths } from "./constants";
import { QvmdError } from "./errors";
import { removeOrphanTemps, writeFilesAtomic } from "./util/atomic";
import { crashPoint } from "./util/crash-points";
import { GroupCommit } from "./util/group-commit";

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
  /** Its disk layer's virtual size (the image's), in GiB: each clone's disk. Absent in old records. */
  diskGb?: number;
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

const emptyDoc = (): StateDoc => ({
  version: 1,
  networks: {},
  images: {},
  instances: {},
  templates: {},
  dnsForwarders: {},
  bridges: {},
  uploads: {},
  host: {},
});

/** The document in `text`, or why it is not one (a torn write, a stray edit, another version). */
export function parseState(text: string): StateDoc | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "not a JSON object";
  const d = doc as Record<string, unknown>;
  if (d.version !== 1) return `unsupported state version ${JSON.stringify(d.version)}`;
  for (const k of [
    "networks",
    "images",
    "instances",
    "templates",
    "dnsForwarders",
    "bridges",
    "uploads",
    "host",
  ])
    if (d[k] !== undefined && (typeof d[k] !== "object" || d[k] === null || Array.isArray(d[k])))
      return `"${k}" is not an object`;
  return { ...emptyDoc(), ...(d as Partial<StateDoc>) };
}

export interface Loaded {
  doc: StateDoc;
  /** What was wrong and what was done about it, one sentence each (Health reports them). */
  problems: string[];
  /** Set when no good copy exists: qvmd must then refuse every call but Health (nothing is known). */
  unreadable?: string;
}

/**
 * Reads the state, surviving a damaged file: a state file that does not parse is set aside (renamed,
 * never deleted) and the last good copy, written after every successful change, takes its place.
 * With no good copy at all, nothing is assumed: an empty document is returned as unreadable.
 */
export function loadState(p: Pick<StatePaths, "stateFile" | "stateLastGood">, now = new Date()): Loaded {
  const read = (f: string) => (fs.existsSync(f) ? parseState(fs.readFileSync(f, "utf8")) : undefined);
  const main = read(p.stateFile);
  if (typeof main === "object") {
    // A state written before last-good copies existed (or whose copy was damaged) gets one now.
    if (typeof read(p.stateLastGood) !== "object") {
      fs.copyFileSync(p.stateFile, `${p.stateLastGood}.tmp`);
      fs.renameSync(`${p.stateLastGood}.tmp`, p.stateLastGood);
    }
    return { doc: main, problems: [] };
  }
  const good = read(p.stateLastGood);
  if (main === undefined && good === undefined) return { doc: emptyDoc(), problems: [] }; // first start
  const problems = [
    typeof main === "string" ? `${p.stateFile} is unreadable (${main})` : `${p.stateFile} is missing`,
  ];
  if (typeof good !== "object") {
    // Nothing is moved: the next start must find the same trouble, not a fresh, empty qvmd.
    problems.push(
      `${typeof good === "string" ? `the last good copy is unreadable too (${good})` : "there is no good copy"}: ` +
        `qvmd refuses every call but Health rather than forget what it manages; ` +
        `restore a state file to ${p.stateFile} and restart qvmd`,
    );
    return { doc: emptyDoc(), problems, unreadable: problems.join("; ") };
  }
  if (typeof main === "string") {
    const aside = `${p.stateFile}.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(p.stateFile, aside);
    problems.push(`it was set aside as ${aside}`);
  }
  // Written back at once: the next start finds a whole state.
  fs.copyFileSync(p.stateLastGood, `${p.stateFile}.tmp`);
  fs.chmodSync(`${p.stateFile}.tmp`, 0o600);
  fs.renameSync(`${p.stateFile}.tmp`, p.stateFile);
  const when = fs.statSync(p.stateLastGood).mtime.toISOString();
  problems.push(`the last good copy ${p.stateLastGood} (written ${when}) was loaded in its place`);
  return { doc: good, problems };
}

export class StateStore {
  private readonly doc: GroupCommit<StateDoc>;
  readonly problems: string[];
  readonly unreadable?: string;

  constructor(private readonly p: StatePaths) {
    // A kill between a temp file's creation and its rename leaves the temp file; qvmd's start is
    // the one moment all of them are known to be orphans.
    for (const f of [p.stateFile, p.stateLastGood]) removeOrphanTemps(f);
    const loaded = loadState(p);
    this.doc = new GroupCommit<StateDoc>(
      loaded.doc,
      (next) => this.write(next),
      (d) => structuredClone(d),
    );
    this.problems = loaded.problems;
    this.unreadable = loaded.unreadable;
  }

  get networks(): Readonly<Record<string, NetworkRecord>> {
    return this.doc.current.networks;
  }

  get images(): Readonly<Record<string, ImageRecord>> {
    return this.doc.current.images;
  }

  get instances(): Readonly<Record<string, InstanceRecord>> {
    return this.doc.current.instances;
  }

  get templates(): Readonly<Record<string, TemplateRecord>> {
    return this.doc.current.templates;
  }

  get bridges(): Readonly<Record<string, BridgeRecord>> {
    return this.doc.current.bridges;
  }

  get dnsForwarders(): Readonly<Record<string, DnsForwarderRecord>> {
    return this.doc.current.dnsForwarders;
  }

  get uploads(): Readonly<Record<string, UploadRecord>> {
    return this.doc.current.uploads;
  }

  get host(): Readonly<StateDoc["host"]> {
    return this.doc.current.host;
  }

  /**
   * Applies `mutate` to the latest document and persists it; resolves once it is on disk. Updates
   * from concurrent operations (two instances created at once) are serialised, each starting from
   * the previous one's result, so none is lost; those that wait for a write in flight share the
   * next one (util/group-commit.ts). The getters show only what is written.
   */
  update(mutate: (doc: StateDoc) => void): Promise<void> {
    if (this.unreadable) return Promise.reject(new QvmdError("internal", "STATE_CORRUPT", this.unreadable));
    return this.doc.change(mutate);
  }

  private async write(next: StateDoc): Promise<void> {
    const text = JSON.stringify(next, null, 2) + "\n";
    // A separate copy (not a link): damage to one file in place cannot reach the other. Written
    // beside the state, both fsync'd at once: a crash leaves each old or new, either a whole state.
    await writeFilesAtomic([this.p.stateFile, this.p.stateLastGood], text, 0o600);
    crashPoint("state.written");
  }
}
