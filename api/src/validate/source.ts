// Image sources: http(s) URLs qvmd downloads, blobs a caller uploaded ("sha256:<hex>"), and local
// files (file://), which only a client reads: qvmd never opens a path a caller names.

/** The scheme of a reference to uploaded bytes: sha256:<64 hex digits>. */
export const UPLOAD_SCHEME = "sha256:";

export const uploadRef = (sha256: string) => `${UPLOAD_SCHEME}${sha256}`;

/** The digest an upload reference names, or undefined for any other URL. */
export function uploadDigest(u: URL): string | undefined {
  return u.protocol === UPLOAD_SCHEME && /^[0-9a-f]{64}$/.test(u.pathname) ? u.pathname : undefined;
}

/**
 * Accepts file:///absolute/path (no `..` segments), http(s) URLs and sha256:<hex> upload
 * references; returns a reason otherwise. Which of them a side may use is that side's rule.
 */
export function parseSource(s: string): URL | string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `"${s}" is not a URL (use file:///path or https://...)`;
  }
  if (u.protocol === "file:") {
    if (u.host !== "") return `file URL must not name a host ("${u.host}")`;
    // URL parsing already resolved "..": compare with the raw text to refuse traversal attempts.
    let raw: string;
    try {
      raw = decodeURIComponent(s.replace(/^file:\/\//, ""));
    } catch {
      // A stray "%" is a refusal naming the source, not an exception (the hostile suite found it).
      return `"${s}" has a malformed %-escape`;
    }
    if (/(^|\/)\.\.?(\/|$)/.test(raw)) return `"${s}" contains "." or ".." path segments`;
    return u;
  }
  if (u.protocol === "http:" || u.protocol === "https:") return u;
  if (u.protocol === UPLOAD_SCHEME)
    return uploadDigest(u) ? u : `"${s}" is not sha256: followed by 64 lower-case hexadecimal digits`;
  return `unsupported scheme "${u.protocol}" (use file://, http:// or https://)`;
}
