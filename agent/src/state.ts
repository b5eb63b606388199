// Durable agent state: one JSON document written atomically after every change. It records what
// the agent owns, so a restarted (or crashed) agent can re-assert and clean up everything.
import * as fs from "node:fs";
import type { StatePaths } from "./constants";
import type { NetworkSpecInput } from "./net/spec";
import { writeFileAtomic } from "./util/atomic";

export interface NetworkRecord {
  spec: NetworkSpecInput;
  createdAt: string;
}

export interface StateDoc {
  version: 1;
  networks: Record<string, NetworkRecord>;
  host: {
    /** ip_forward before our first network, restored when the last one goes. */
    ipForwardBefore?: string;
  };
}

export class StateStore {
  private doc: StateDoc;

  constructor(private readonly p: StatePaths) {
    this.doc = StateStore.load(p.stateFile);
  }

  private static load(file: string): StateDoc {
    if (!fs.existsSync(file)) return { version: 1, networks: {}, host: {} };
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as StateDoc;
    if (doc.version !== 1) throw new Error(`${file}: unsupported state version ${String(doc.version)}`);
    return doc;
  }

  get networks(): Readonly<Record<string, NetworkRecord>> {
    return this.doc.networks;
  }

  get host(): Readonly<StateDoc["host"]> {
    return this.doc.host;
  }

  async update(mutate: (doc: StateDoc) => void): Promise<void> {
    const next = structuredClone(this.doc);
    mutate(next);
    await writeFileAtomic(this.p.stateFile, JSON.stringify(next, null, 2) + "\n", 0o600);
    this.doc = next;
  }
}
