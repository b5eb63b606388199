// Hostile request bodies for every RPC of qvmd: random bytes, mutations of a real request, random
// protobuf (plausible tags and wire types, lengths that lie, deep nesting), another RPC's request,
// and semantic attacks (huge and negative numbers, path traversal, megabyte fields, 100k-element
// lists). Templates carry ids that can never be valid (too long and outside [a-z0-9]), so no
// mutation of a few bytes can turn one into a request that changes anything.
// Every random choice comes from a seeded generator (pure-rand), so a run that fails in CI is
// replayed with the seed it printed: FUZZ_SEED=<n>.
import { randomInt } from "node:crypto";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

const BAD_ID = "NOT/AN-ID!";

/** A junk spec per request shape; keys follow qvmd.proto (keepCase). */
export function templates(): Record<string, unknown[]> {
  const nic = { network_id: BAD_ID, mac: "52:54:00:zz:00:01", ip: "10.0.0.300" };
  const network = {
    id: BAD_ID,
    cidr: "10.254.99.0/24",
    gateway: "10.254.99.1",
    dhcp: { enabled: true, reservations: [{ mac: "zz", ip: "1.2.3.4", hostname: "-bad-" }] },
    nat: true,
    mtu: 9000,
  };
  const image = { id: BAD_ID, source: "file:///etc/shadow", sha256: "00", format: "vmdk", kernel: "ftp://x" };
  const instance = {
    id: BAD_ID,
    image_id: "../../etc",
    cpus: -1,
    memory_mb: 2 ** 31 - 1,
    disk_gb: -5,
    nics: [nic],
    user_data: "#cloud-config\n",
    ssh_authorized_keys: ["ssh-rsa AAAA\n"],
    running: true,
    wait_for_ip_seconds: 2 ** 31 - 1,
    port_forwards: [{ host_port: 70000, guest_port: 0, protocol: "icmp" }],
  };
  const dns = {
    id: BAD_ID,
    network_id: BAD_ID,
    zone: "..",
    upstreams: ["300.1.1.1:99999"],
    resolv_conf: "/etc/shadow",
  };
  const bridge = { id: BAD_ID, name: "eth0", address: "1.2.3.4/99", uplink: "lo", adopt: true };
  const template = {
    id: BAD_ID,
    image_id: "../../etc",
    network_id: BAD_ID,
    cpus: -1,
    memory_mb: 2 ** 31 - 1,
    accel: "xen",
    wait_for: "never",
    wait_seconds: -1,
    user_data: "#cloud-config\n",
  };
  return {
    id: [{ id: BAD_ID }, { id: "../../../../etc/passwd" }, { id: "" }],
    none: [{}],
    network: [{ spec: network }, { spec: { ...network, id: "" } }],
    image: [{ spec: image }],
    instance: [{ spec: instance }],
    dns: [{ spec: dns }, { spec: { ...dns, records: [{ name: "a".repeat(300), addresses: ["x"] }] } }],
    bridge: [{ spec: bridge }],
    template: [{ spec: template }],
    // Over any limit, with a digest that is not one: never a stored upload.
    upload: [
      { header: { size_bytes: 2 ** 50, sha256: "00", name: "../../etc/shadow" } },
      { data: Buffer.alloc(64) },
    ],
  };
}

/** Requests far over any limit, sent rarely (they are megabytes). */
export function largeTemplates(): Record<string, unknown[]> {
  const t = templates();
  const instance = (t.instance![0] as { spec: Record<string, unknown> }).spec;
  const nic = (instance.nics as unknown[])[0];
  return {
    id: [{ id: "x".repeat(100000) }],
    instance: [
      { spec: { ...instance, nics: Array.from({ length: 100000 }, () => nic) } },
      { spec: { ...instance, user_data: "u".repeat(2 * 1024 * 1024) } },
    ],
    network: [{ spec: { ...(t.network![0] as { spec: object }).spec, owner: "o".repeat(3 * 1024 * 1024) } }],
  };
}

/** Which template shape a request of this RPC has. */
export function shapeOf(rpc: string): string {
  if (/^(Get|Delete)/.test(rpc)) return "id";
  if (rpc === "Health" || rpc.startsWith("List")) return "none";
  if (rpc.endsWith("Network")) return "network";
  if (rpc.endsWith("Image")) return "image";
  if (rpc.endsWith("Instance")) return "instance";
  if (rpc.endsWith("DnsForwarder")) return "dns";
  if (rpc.endsWith("Bridge")) return "bridge";
  if (rpc.endsWith("Template")) return "template";
  if (rpc === "UploadBlob") return "upload";
  return "none";
}

/** Random choices from one seed: the same seed makes the same choices, in the same order. */
export class Rng {
  private readonly g: RandomGenerator;
  constructor(readonly seed: number) {
    this.g = xoroshiro128plus(seed);
  }
  /** An integer in [from, to). */
  int(from: number, to?: number): number {
    if (to === undefined) [from, to] = [0, from];
    return uniformInt(this.g, from, to - 1);
  }
  /** A number in [0, 1). */
  float(): number {
    return this.int(0, 2 ** 30) / 2 ** 30;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  /** A 32-bit seed for a generator of its own. */
  seedOf(): number {
    return this.int(0, 2 ** 32) >>> 0;
  }
}

/** The run's seed: FUZZ_SEED when set (to replay a run), else a new one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const s = env.FUZZ_SEED;
  if (s === undefined || s === "") return randomInt(2 ** 32);
  if (!/^\d+$/.test(s) || Number(s) >= 2 ** 32)
    throw new Error(`FUZZ_SEED=${s}: not an integer in [0, 2^32)`);
  return Number(s);
}

/**
 * The order of a run: `perRpc` requests to each RPC, shuffled, each with a seed of its own. A
 * request's body is drawn from its own seed, so the bodies do not depend on the order in which
 * concurrent answers arrive, and one seed replays the whole run.
 */
export function plan(seed: number, rpcs: readonly string[], perRpc: number): { rpc: string; seed: number }[] {
  const rng = new Rng(seed);
  const queue = rpcs.flatMap((r) => Array.from({ length: perRpc }, () => r));
  for (let i = queue.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  return queue.map((rpc) => ({ rpc, seed: rng.seedOf() }));
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Plausible-looking protobuf: real tags and wire types, lengths that may lie, nesting. */
export function randomProto(rng: Rng, depth = 0): Buffer {
  const parts: number[] = [];
  const fields = rng.int(1, 8);
  for (let i = 0; i < fields; i++) {
    const field = rng.int(1, 20);
    const wire = rng.pick([0, 1, 2, 2, 2, 5]);
    parts.push(...varint((field << 3) | wire));
    if (wire === 0) parts.push(...varint(rng.pick([0, 1, 2 ** 31 - 1, 2 ** 32 - 1, rng.int(1000)])));
    else if (wire === 1) parts.push(...rng.bytes(8));
    else if (wire === 5) parts.push(...rng.bytes(4));
    else {
      const body =
        depth < 4 && rng.float() < 0.4
          ? randomProto(rng, depth + 1)
          : Buffer.from(
              rng
                .pick(["qvm", "../..", "10.0.0.1/8", "52:54:00:00:00:01", "\u0000", "é"])
                .repeat(rng.int(1, 20)),
            );
      const lie = rng.float() < 0.1 ? rng.int(0, 2 ** 20) : body.length;
      parts.push(...varint(lie), ...body);
    }
  }
  return Buffer.from(parts);
}

/** A few bytes of `b` flipped, dropped, duplicated or cut off. */
export function mutate(rng: Rng, b: Buffer): Buffer {
  let out = Buffer.from(b);
  for (let n = rng.int(1, 4); n > 0; n--) {
    if (out.length === 0) return rng.bytes(rng.int(1, 16));
    const at = rng.int(out.length);
    switch (rng.int(4)) {
      case 0:
        out[at] = rng.int(256);
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + rng.int(1, 8)), out.subarray(at)]);
        break;
      default:
        out = out.subarray(0, at);
    }
  }
  return out;
}

export type Kind = "random" | "mutated" | "proto" | "foreign" | "semantic";

/** One hostile body for an RPC whose real requests serialise to `serialized` (several shapes). */
export function hostileBody(
  rng: Rng,
  serialized: Buffer[],
  large: Buffer[],
  foreign: Buffer[],
): { kind: Kind; body: Buffer } {
  const r = rng.float();
  if (r < 0.2) return { kind: "random", body: rng.bytes(rng.int(0, 512)) };
  if (r < 0.55) return { kind: "mutated", body: mutate(rng, rng.pick(serialized)) };
  if (r < 0.85) return { kind: "proto", body: randomProto(rng) };
  if (r < 0.97 || (large.length === 0 && r < 0.99)) return { kind: "foreign", body: rng.pick(foreign) };
  return { kind: "semantic", body: r < 0.995 || large.length === 0 ? rng.pick(serialized) : rng.pick(large) };
}
