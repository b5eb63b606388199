// What qvmctl prints, as pure functions of what qvmd answered: one table per kind, columns a person
// needs to find an object (state, pid, addresses, who owns it) and to recover (the id to delete).
import type { Bridge, DnsForwarder, Image, Instance, Network } from "@pulumi-qemu/api";

export const KINDS = ["networks", "instances", "images", "dns-forwarders", "bridges"] as const;
export type Kind = (typeof KINDS)[number];

const ALIASES: Record<string, Kind> = {
  network: "networks",
  networks: "networks",
  net: "networks",
  instance: "instances",
  instances: "instances",
  vm: "instances",
  image: "images",
  images: "images",
  "dns-forwarder": "dns-forwarders",
  "dns-forwarders": "dns-forwarders",
  dns: "dns-forwarders",
  bridge: "bridges",
  bridges: "bridges",
};

/** The kind a person typed (singular, plural or short), or undefined. */
export const kindOf = (word: string | undefined): Kind | undefined =>
  word === undefined ? undefined : ALIASES[word.toLowerCase()];

export interface Inventory {
  networks: Network[];
  instances: Instance[];
  images: Image[];
  "dns-forwarders": DnsForwarder[];
  bridges: Bridge[];
}

/** Left-aligned columns, two spaces apart; "-" for an empty cell. */
export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === "" ? "-" : c)))];
  const width = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const size = (bytes: number): string =>
  bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)}G`
    : bytes >= 2 ** 20
      ? `${(bytes / 2 ** 20).toFixed(1)}M`
      : `${Math.ceil(bytes / 1024)}K`;

const rowsOf: { [K in Kind]: (items: Inventory[K]) => { header: string[]; rows: string[][] } } = {
  networks: (ns) => ({
    header: ["ID", "CIDR", "GATEWAY", "NAMESPACE", "DHCP RANGE", "FIREWALL", "DRIFT", "OWNER"],
    rows: ns.map((n) => [
      n.spec?.id ?? "",
      n.spec?.cidr ?? "",
      n.spec?.gateway ?? "",
      n.namespace,
      n.spec?.dhcp?.enabled ? `${n.dhcp_range_start}-${n.dhcp_range_end}` : "off",
      n.firewall_state,
      n.drift.join("; "),
      n.spec?.owner ?? "",
    ]),
  }),
  instances: (is) => ({
    header: ["ID", "STATE", "PID", "ADDRESSES", "ON", "IMAGE", "CPUS", "MEMORY", "OWNER"],
    rows: is.map((i) => [
      i.spec?.id ?? "",
      i.state,
      i.pid > 0 ? String(i.pid) : "",
      i.nics
        .map((n) => n.ip)
        .filter(Boolean)
        .join(","),
      i.nics.map((n) => n.network_id || `bridge:${n.bridge_id}`).join(","),
      i.spec?.image_id ?? "",
      String(i.spec?.cpus ?? ""),
      `${i.spec?.memory_mb ?? ""}M`,
      i.spec?.owner ?? "",
    ]),
  }),
  images: (is) => ({
    header: ["ID", "FORMAT", "SIZE", "VIRTUAL", "SHA256", "SOURCE", "OWNER"],
    rows: is.map((i) => [
      i.spec?.id ?? "",
      i.spec?.format ?? "",
      size(i.size_bytes),
      size(i.virtual_size_bytes),
      i.sha256.slice(0, 12),
      i.spec?.source ?? "",
      i.spec?.owner ?? "",
    ]),
  }),
  "dns-forwarders": (ds) => ({
    header: ["ID", "NETWORK", "LISTENS", "ZONE", "UPSTREAMS", "OWNER"],
    rows: ds.map((d) => [
      d.spec?.id ?? "",
      d.spec?.network_id ?? "",
      d.address ? `${d.address}:${d.port}` : "",
      d.spec?.zone ?? "",
      d.upstreams_in_effect.join(","),
      d.spec?.owner ?? "",
    ]),
  }),
  bridges: (bs) => ({
    header: ["ID", "NAME", "ADDRESSES", "UPLINK", "DRIFT", "OWNER"],
    rows: bs.map((b) => [
      b.spec?.id ?? "",
      b.spec?.name ?? "",
      b.addresses.join(","),
      b.spec?.uplink ?? "",
      b.drift.join("; "),
      b.spec?.owner ?? "",
    ]),
  }),
};

const TITLES: Record<Kind, string> = {
  networks: "NETWORKS",
  instances: "INSTANCES",
  images: "IMAGES",
  "dns-forwarders": "DNS FORWARDERS",
  bridges: "BRIDGES",
};

/** `qvmctl list`: a titled table per kind asked for ("(none)" when a kind is empty). */
export function renderInventory(inv: Partial<Inventory>, kinds: readonly Kind[] = KINDS): string {
  return kinds
    .map((k) => {
      const items = (inv[k] ?? []) as never;
      const { header, rows } = rowsOf[k](items);
      return `${TITLES[k]}\n${rows.length > 0 ? table(header, rows) : "(none)"}`;
    })
    .join("\n\n");
}
