// The download policy (config.downloads) against a real HTTP server on loopback: destinations are
// checked on the address connected to, redirects included; sizes, redirect counts, schemes and
// silence are bounded; a refusal names the property and leaves no file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { defaultConfig } from "../../../agent/src/config";
import { QvmdError } from "../../../agent/src/errors";
import { deniedAddress, type DownloadPolicy, fetchTo } from "../../../agent/src/image/fetch";

describe("image downloads within the admin's policy", function () {
  this.timeout(20000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-fetch-"));
  let server: http.Server;
  let port: number;
  let trickleClosed = false;
  const MiB = 1024 * 1024;
  // Loopback is denied by default; these tests serve from 127.0.0.1 and deny 127.0.0.2 instead.
  const policy: DownloadPolicy = {
    ...defaultConfig().downloads,
    deniedNetworks: ["127.0.0.2/32", "169.254.0.0/16"],
    maxBytes: MiB,
    maxRedirects: 2,
    idleTimeoutSeconds: 1,
    timeoutSeconds: 5,
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const u = req.url ?? "";
      if (u === "/ok") return res.end(Buffer.alloc(1000, 1));
      if (u === "/to-ok") return res.writeHead(302, { location: "/ok" }).end();
      if (u === "/to-denied") return res.writeHead(302, { location: `http://127.0.0.2:${port}/ok` }).end();
      if (u === "/to-imds")
        return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end();
      if (u === "/loop") return res.writeHead(302, { location: "/loop" }).end();
      if (u === "/huge") return res.writeHead(200, { "content-length": 2 * MiB }).end();
      if (u === "/endless") {
        res.writeHead(200);
        const push = () =>
          res.write(Buffer.alloc(64 * 1024)) ? setImmediate(push) : res.once("drain", push);
        res.on("close", () => undefined);
        return push();
      }
      if (u === "/silent") return res.writeHead(200, { "content-length": 10 }).write("12345");
      if (u === "/trickle") {
        res.writeHead(200, { "content-length": 1000 });
        const t = setInterval(() => res.write("x"), 50);
        res.on("close", () => {
          clearInterval(t);
          trickleClosed = true;
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  const get = (url: string, p = policy) => {
    const dest = path.join(dir, `f${n++}`);
    return { dest, done: fetchTo(new URL(url), dest, () => undefined, p, "kernel") };
  };
  async function refused(url: string, code: string, p = policy): Promise<QvmdError> {
    const { dest, done } = get(url, p);
    const e = await done.then(
      () => assert.fail(`${url} was downloaded`),
      (x: unknown) => x,
    );
    assert.ok(e instanceof QvmdError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.opts.property, "kernel");
    assert.ok(!fs.existsSync(dest) || fs.statSync(dest).size <= MiB, "never more than the limit on disk");
    return e;
  }

  it("refuses loopback, link-local (cloud metadata) and unspecified destinations by default", () => {
    const d = defaultConfig().downloads;
    for (const a of [
      "127.0.0.1",
      "127.9.9.9",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "::ffff:127.0.0.1",
    ])
      assert.ok(deniedAddress(a, d), a);
    for (const a of ["93.184.216.34", "10.1.2.3", "2001:db8::1"])
      assert.equal(deniedAddress(a, d), undefined, a);
  });

  it("downloads within the policy, following a redirect, as a private file", async () => {
    const { dest, done } = get(`http://127.0.0.1:${port}/to-ok`);
    assert.equal((await done).bytes, 1000);
    assert.equal(fs.statSync(dest).mode & 0o777, 0o600);
  });

  it("checks every hop where it connects: a redirect to a denied address, IMDS or a name for one", async () => {
    await refused(`http://127.0.0.1:${port}/to-denied`, "DOWNLOAD_NOT_ALLOWED");
    await refused(`http://127.0.0.1:${port}/to-imds`, "DOWNLOAD_NOT_ALLOWED");
    // localhost resolves to loopback: refused after the lookup, under the default policy.
    await refused(`http://localhost:${port}/ok`, "DOWNLOAD_NOT_ALLOWED", defaultConfig().downloads);
    await refused(`http://127.0.0.1:${port}/ok`, "DOWNLOAD_NOT_ALLOWED", defaultConfig().downloads);
    await refused(`http://[::1]:${port}/ok`, "DOWNLOAD_NOT_ALLOWED", defaultConfig().downloads);
  });

  it("bounds redirects, size (announced or not), silence, and schemes", async () => {
    assert.match(
      (await refused(`http://127.0.0.1:${port}/loop`, "DOWNLOAD_NOT_ALLOWED")).message,
      /redirects/,
    );
    await refused(`http://127.0.0.1:${port}/huge`, "DOWNLOAD_TOO_LARGE");
    await refused(`http://127.0.0.1:${port}/endless`, "DOWNLOAD_TOO_LARGE");
    const t = Date.now();
    assert.match(
      (await refused(`http://127.0.0.1:${port}/silent`, "IMAGE_DOWNLOAD_FAILED")).message,
      /no data|no answer/,
    );
    assert.ok(Date.now() - t < 4000, "given up after the idle timeout");
    await refused(`http://127.0.0.1:${port}/ok`, "DOWNLOAD_NOT_ALLOWED", { ...policy, schemes: ["https"] });
  });

  it("stops when the call is cancelled, closing the connection", async () => {
    const cancel = new AbortController();
    const dest = path.join(dir, "cancelled");
    let got = 0;
    const done = fetchTo(
      new URL(`http://127.0.0.1:${port}/trickle`),
      dest,
      (d) => (got = d),
      policy,
      "source",
      cancel.signal,
    );
    while (got < 3) await new Promise((r) => setTimeout(r, 20));
    cancel.abort();
    const e = await done.then(
      () => assert.fail("downloaded"),
      (x: unknown) => x,
    );
    assert.ok(e instanceof QvmdError, String(e));
    assert.equal(e.code, "IMAGE_DOWNLOAD_FAILED");
    assert.match(e.message, /cancelled/);
    for (let i = 0; i < 50 && !trickleClosed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(trickleClosed, "the server saw the connection close");
  });
});
