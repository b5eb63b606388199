// What every forwarder test file shares: fake upstreams and a forwarder on 127.0.0.1:<random port>,
// all closed after each test, and temporary directories removed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Forwarder, type ForwarderOptions, startForwarder } from "../../../agent/src/dns";
import { type Behaviour, type Fake, startFake } from "./fakes";

export interface Harness {
  /** The forwarder under test, once started (a test may also start its own and set it here). */
  fwd: Forwarder | undefined;
  fake(b: Behaviour, address?: string, wantPort?: number): Promise<Fake>;
  start(servers: Fake[], extra?: Partial<ForwarderOptions>): Promise<Forwarder>;
  port(): number;
  tempDir(): string;
  /** Replaces a file the way resolvconf and editors do: write aside, rename over. */
  replaceFile(file: string, text: string): void;
}

/** Call inside a `describe`: registers the `afterEach` that closes what the tests started. */
export function useForwarder(): Harness {
  const fakes: Fake[] = [];
  const tmp: string[] = [];
  const h: Harness = {
    fwd: undefined,
    fake: async (b, address = "127.0.0.1", wantPort = 0) => {
      const f = await startFake(address, b, wantPort);
      fakes.push(f);
      return f;
    },
    start: async (servers, extra = {}) => {
      h.fwd = await startForwarder({
        listen: { address: "127.0.0.1", port: 0 },
        upstreams: { kind: "static", servers: servers.map((f) => f.server) },
        allowedSources: ["127.0.0.1/32"],
        rateLimit: false,
        ...extra,
      });
      return h.fwd;
    },
    port: () => h.fwd!.address.port,
    tempDir: () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), "dnsfwd-"));
      tmp.push(d);
      return d;
    },
    replaceFile: (file, text) => {
      fs.writeFileSync(`${file}.new`, text);
      fs.renameSync(`${file}.new`, file);
    },
  };

  afterEach(async () => {
    await h.fwd?.close();
    h.fwd = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return h;
}
