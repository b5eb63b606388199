// Downloads an http(s) source into a file while hashing it, reporting progress, within the admin's
// policy (config.downloads): allowed schemes, destinations checked on the address actually
// connected to (after DNS, on every redirect, so a name cannot rebind to loopback or the cloud
// metadata address), a redirect limit, a size limit (announced and counted), an idle and a total
// timeout. The bytes are hashed as they pass, so the digest is of exactly what was stored.
import { createHash } from "node:crypto";
import * as dns from "node:dns";
import { createWriteStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Config } from "../config";
import { inRanges } from "../config";
import { QvmdError } from "../errors";
import { crashPoint } from "../util/crash-points";

export interface FetchResult {
  sha256: string;
  bytes: number;
}

export type OnProgress = (done: number, total: number) => void;

export type DownloadPolicy = Config["downloads"];

const refused = (property: string, message: string) =>
  new QvmdError("invalid", "DOWNLOAD_NOT_ALLOWED", message, {
    property,
    hint: "the admin decides where qvmd may download from (downloads in qvmd's config)",
  });

const failed = (property: string, url: URL, message: string) =>
  new QvmdError("precondition", "IMAGE_DOWNLOAD_FAILED", `GET ${url.href}: ${message}`, { property });

/** Why qvmd may not connect to `address`, or undefined when it may. */
export function deniedAddress(address: string, p: DownloadPolicy): string | undefined {
  const v4 = net.isIPv4(address) ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4 !== undefined)
    return inRanges(v4, p.deniedNetworks)
      ? `${address} is in a network qvmd may not download from`
      : undefined;
  const a = address.toLowerCase();
  if (a === "::1" || a === "::" || /^fe[89ab]/.test(a)) return `${address} is loopback or link-local`;
  return undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** dns.lookup, refusing any answer in a denied network: checked on what the socket will use. */
function checkedLookup(p: DownloadPolicy) {
  return (hostname: string, options: dns.LookupOptions, cb: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addrs) => {
      if (err) return cb(err, "");
      const bad = addrs.map((a) => deniedAddress(a.address, p)).find((r) => r !== undefined);
      if (bad) return cb(Object.assign(new Error(bad), { code: "QVMD_DENIED" }), "");
      if (options.all) return cb(null, addrs);
      cb(null, addrs[0]!.address, addrs[0]!.family);
    });
  };
}

/** One GET, following redirects within the policy; resolves with the 200 response. */
function get(
  source: URL,
  property: string,
  p: DownloadPolicy,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const attempt = (url: URL, redirects: number): Promise<http.IncomingMessage> => {
    const scheme = url.protocol.replace(/:$/, "");
    if (!(p.schemes as string[]).includes(scheme))
      return Promise.reject(refused(property, `${url.href}: qvmd does not download over ${scheme}`));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // An address literal is never looked up: check it here.
    const literal = net.isIP(host) ? deniedAddress(host, p) : undefined;
    if (literal) return Promise.reject(refused(property, `${url.href}: ${literal}`));
    return new Promise((resolve, reject) => {
      const mod = url.protocol === "https:" ? https : http;
      const req = mod.get(url, {
        lookup: checkedLookup(p) as never,
        signal,
        timeout: p.idleTimeoutSeconds * 1000,
      });
      req.on("timeout", () => req.destroy(new Error(`no answer for ${p.idleTimeoutSeconds} s`)));
      req.on("error", (e: NodeJS.ErrnoException) =>
        reject(
          e.code === "QVMD_DENIED"
            ? refused(property, `${url.href}: ${e.message}`)
            : failed(property, url, e.message),
        ),
      );
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirects >= p.maxRedirects)
            return reject(refused(property, `${source.href}: more than ${p.maxRedirects} redirects`));
          let next: URL;
          try {
            next = new URL(res.headers.location, url);
          } catch {
            return reject(failed(property, url, `a redirect to "${res.headers.location}", not a URL`));
          }
          return attempt(next, redirects + 1).then(resolve, reject);
        }
        if (status !== 200) {
          res.resume();
          return reject(failed(property, url, `HTTP ${status}`));
        }
        resolve(res);
      });
    });
  };
  return attempt(source, 0);
}

export async function fetchTo(
  source: URL,
  dest: string,
  onProgress: OnProgress,
  policy: DownloadPolicy,
  property = "source",
  /** The caller gave up (its call was cancelled or passed its deadline): so does the download. */
  cancelled?: AbortSignal,
): Promise<FetchResult> {
  if (source.protocol !== "http:" && source.protocol !== "https:")
    throw new QvmdError("invalid", "BAD_SOURCE", `qvmd does not fetch ${source.protocol} URLs`, { property });
  const timeout = AbortSignal.timeout(policy.timeoutSeconds * 1000);
  const signal = cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
  const res = await get(source, property, policy, signal);
  const total = Number(res.headers["content-length"] ?? 0);
  const tooLarge = () =>
    new QvmdError(
      "invalid",
      "DOWNLOAD_TOO_LARGE",
      `${source.href} is larger than the ${policy.maxBytes} bytes this qvmd downloads`,
      { property, hint: "the admin sets the limit (downloads.maxBytes in qvmd's config)" },
    );
  if (total > policy.maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const hash = createHash("sha256");
  let done = 0;
  let lastReport = 0;
  let midway = false;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      // Mid-download: the part file open, its first bytes on their way (a test kill point).
      if (done > 0 && !midway) {
        midway = true;
        crashPoint("image.downloading");
      }
      done += chunk.length;
      if (done > policy.maxBytes) return cb(tooLarge());
      hash.update(chunk);
      // At most ~10 reports per second: progress is for humans.
      if (Date.now() - lastReport > 100) {
        lastReport = Date.now();
        onProgress(done, total);
      }
      cb(null, chunk);
    },
  });
  res.setTimeout(policy.idleTimeoutSeconds * 1000, () =>
    res.destroy(new Error(`no data for ${policy.idleTimeoutSeconds} s`)),
  );
  try {
    await pipeline(res, meter, createWriteStream(dest, { mode: 0o600, flags: "wx" }));
  } catch (e) {
    if (e instanceof QvmdError) throw e;
    throw failed(
      property,
      source,
      cancelled?.aborted
        ? "the call was cancelled"
        : timeout.aborted
          ? `took longer than ${policy.timeoutSeconds} s`
          : (e as Error).message,
    );
  }
  onProgress(done, total);
  return { sha256: hash.digest("hex"), bytes: done };
}
