// Pure NoCloud seed contents. Values go out as JSON strings, which are valid YAML double-quoted
// scalars, so no hostname or key can break the document.
import { invalid } from "../errors";

/** Limit per seed file; cloud-init reads the whole seed into memory and user-data beyond this is a mistake. */
export const SEED_MAX_BYTES = 1024 * 1024;

export interface SeedViolation {
  property: "userData" | "metaData" | "networkConfig";
  code: string;
  message: string;
}

const q = (s: string) => JSON.stringify(s);

export function renderMetaData(o: { instanceId: string; hostname: string }): string {
  return `instance-id: ${q(o.instanceId)}\nlocal-hostname: ${q(o.hostname)}\n`;
}

const CLOUD_CONFIG = /^#cloud-config[ \t]*\r?$/;
const KEYS_KEY = /^ssh_authorized_keys[ \t]*:(.*)$/;

export function isCloudConfig(userData: string): boolean {
  return CLOUD_CONFIG.test(userData.split("\n", 1)[0] ?? "");
}

/**
 * The user-data the guest gets:
 * - no userData: a #cloud-config setting the hostname and the keys;
 * - userData and no keys: userData unchanged;
 * - a #cloud-config userData and keys: the keys missing from it are added to its top-level
 *   `ssh_authorized_keys` block list, which is appended when absent. A flow list
 *   (`ssh_authorized_keys: [...]`) cannot be extended by text and is refused;
 * - any other userData (script, multipart, ...) and keys: refused, as the keys would be lost.
 */
export function renderUserData(o: {
  userData?: string;
  sshAuthorizedKeys?: readonly string[];
  hostname: string;
}): string {
  const keys = o.sshAuthorizedKeys ?? [];
  if (o.userData === undefined || o.userData === "") {
    const lines = ["#cloud-config", `hostname: ${q(o.hostname)}`];
    if (keys.length > 0) lines.push("ssh_authorized_keys:", ...keys.map((k) => `  - ${q(k)}`));
    return lines.join("\n") + "\n";
  }
  if (keys.length === 0) return o.userData;
  if (!isCloudConfig(o.userData))
    throw invalid(
      "USERDATA_KEYS_UNMERGEABLE",
      "sshAuthorizedKeys",
      "sshAuthorizedKeys can only be merged into a #cloud-config userData",
      "put the keys into the userData yourself, or start it with #cloud-config",
    );
  return mergeKeys(o.userData, keys);
}

function mergeKeys(userData: string, keys: readonly string[]): string {
  const missing = keys.filter((k) => !userData.includes(k));
  if (missing.length === 0) return userData;
  const eol = userData.includes("\r\n") ? "\r\n" : "\n";
  const lines = userData.split(/\r?\n/);
  const at = lines.findIndex((l) => KEYS_KEY.test(l));
  if (at < 0) {
    const body = userData.endsWith("\n") ? userData : userData + eol;
    return body + ["ssh_authorized_keys:", ...missing.map((k) => `  - ${q(k)}`)].join(eol) + eol;
  }
  const rest = (KEYS_KEY.exec(lines[at]!)?.[1] ?? "").trim();
  if (rest !== "" && !rest.startsWith("#"))
    throw invalid(
      "USERDATA_KEYS_UNMERGEABLE",
      "sshAuthorizedKeys",
      "userData sets ssh_authorized_keys inline; sshAuthorizedKeys can only extend a block list",
      "write ssh_authorized_keys as a block list (one `- key` per line)",
    );
  // Follow the list's own indentation; YAML also allows `- ` flush with the key.
  const next = lines.slice(at + 1).find((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  const item = next ? /^(\s*)- /.exec(next) : null;
  const indent = item?.[1] ?? "  ";
  lines.splice(at + 1, 0, ...missing.map((k) => `${indent}- ${q(k)}`));
  return lines.join(eol);
}

export function checkSeedSize(files: {
  userData?: string;
  metaData?: string;
  networkConfig?: string;
}): SeedViolation[] {
  const out: SeedViolation[] = [];
  for (const property of ["userData", "metaData", "networkConfig"] as const) {
    const text = files[property];
    if (text === undefined) continue;
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > SEED_MAX_BYTES)
      out.push({
        property,
        code: "SEED_TOO_LARGE",
        message: `${property} is ${bytes} bytes; the limit is ${SEED_MAX_BYTES}`,
      });
  }
  return out;
}
