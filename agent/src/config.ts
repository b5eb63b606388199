// The admin's config file: what qvmd may touch on the host beyond its own objects, and how much
// any one uid may use. Callers cannot change any of it; only root can, by editing the file and
// restarting qvmd. Absent file: the safe defaults below. Unknown keys or bad values stop qvmd at
// start with the key named, rather than being ignored. Every key is documented in docs/security.md.
import * as fs from "node:fs";
import { z } from "zod";
import { type Cidr, contains, parseCidr, parseIp } from "@pulumi-qemu/api/validate";
import { IFNAME_MAX } from "./constants";

export const DEFAULT_CONFIG_FILE = "/etc/qvmd/config.json";

const GiB = 1024 ** 3;

const cidr = z.string().refine((s) => typeof parseCidr(s) !== "string", "an IPv4 network a.b.c.d/prefix");

const ifName = z.string().regex(new RegExp(`^[A-Za-z0-9_.-]{1,${IFNAME_MAX}}$`), "an interface name");

/** Private IPv4 ranges (RFC 1918): the default for addresses a Bridge may put on the host. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Whether `ip` (a.b.c.d) lies in one of `ranges` (a.b.c.d/p, already validated). */
export function inRanges(ip: string, ranges: readonly string[]): boolean {
  const n = parseIp(ip);
  return n !== undefined && ranges.some((r) => contains(parseCidr(r) as Cidr, n));
}
const count = z.number().int().min(0);

/** Download destinations refused by default: loopback, link-local (cloud metadata), "this" net. */
export const DEFAULT_DENIED_NETWORKS = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16"];

export const configShape = z
  .object({
    bridges: z
      .object({
        /** NICs a Bridge may enslave as its uplink. Default: none. */
        uplinks: z.array(ifName).max(64).default([]),
        /** Existing host bridges a Bridge may adopt. Default: none. */
        adoptable: z.array(ifName).max(64).default([]),
        /** Where a Bridge's own address may lie. Default: the private ranges. */
        addressRanges: z.array(cidr).max(64).default(PRIVATE_RANGES),
      })
      .strict()
      .default({ uplinks: [], adoptable: [], addressRanges: PRIVATE_RANGES }),
    portForwards: z
      .object({
        /** The lowest host port a forward may take. Default 1024: no privileged ports. */
        minHostPort: z.number().int().min(1).max(65535).default(1024),
      })
      .strict()
      .default({ minHostPort: 1024 }),
    downloads: z
      .object({
        /** URL schemes qvmd downloads images from, redirects included. */
        schemes: z
          .array(z.enum(["https", "http"]))
          .max(2)
          .default(["https", "http"]),
        /** Destinations (after DNS resolution, redirects included) qvmd refuses to connect to. */
        deniedNetworks: z.array(cidr).max(256).default(DEFAULT_DENIED_NETWORKS),
        maxRedirects: count.max(20).default(5),
        maxBytes: count.default(64 * GiB),
        /** Without a byte for this long, a download fails (and frees the store). */
        idleTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
        /** A whole download may take at most this long. */
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 3600)
          .default(6 * 3600),
      })
      .strict()
      .default({
        schemes: ["https", "http"],
        deniedNetworks: DEFAULT_DENIED_NETWORKS,
        maxRedirects: 5,
        maxBytes: 64 * GiB,
        idleTimeoutSeconds: 60,
        timeoutSeconds: 6 * 3600,
      }),
    uploads: z
      .object({ maxBytes: count.default(64 * GiB) })
      .strict()
      .default({ maxBytes: 64 * GiB }),
    /** Logs a guest or its network can grow (serial consoles, dnsmasq's log): each is cut past this. */
    logs: z
      .object({ maxBytes: count.min(4096).default(16 * 1024 ** 2) })
      .strict()
      .default({ maxBytes: 16 * 1024 ** 2 }),
    /** What one uid may hold at once (root is not counted). */
    quotas: z
      .object({
        instances: count.default(32),
        /** The sum of its instances' memory. */
        memoryMb: count.default(64 * 1024),
        /** The sum of its instances' disk sizes (virtual). */
        diskGb: count.default(2048),
        networks: count.default(32),
        images: count.default(64),
        bridges: count.default(8),
        dnsForwarders: count.default(32),
      })
      .strict()
      .default({
        instances: 32,
        memoryMb: 64 * 1024,
        diskGb: 2048,
        networks: 32,
        images: 64,
        bridges: 8,
        dnsForwarders: 32,
      }),
  })
  .strict();

export type Config = z.output<typeof configShape>;

export const defaultConfig = (): Config => configShape.parse({});

/** Parses the file's text; throws naming the first bad key. */
export function parseConfig(text: string, file = "config"): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON: ${(e as Error).message}`);
  }
  const r = configShape.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  return r.data;
}

/** The config from `file`, or the defaults when it does not exist. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return defaultConfig();
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return parseConfig(text, file);
}
