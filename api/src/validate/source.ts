// Image sources: URLs qvmd is willing to read, never a path that escapes through `..`.

/** Accepts file:///absolute/path (no `..` segments) and http(s) URLs; returns a reason otherwise. */
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
    if (/(^|\/)\.\.?(\/|$)/.test(decodeURIComponent(s.replace(/^file:\/\//, ""))))
      return `"${s}" contains "." or ".." path segments`;
    return u;
  }
  if (u.protocol === "http:" || u.protocol === "https:") return u;
  return `unsupported scheme "${u.protocol}" (use file://, http:// or https://)`;
}
