// qvmd's config file: safe defaults when absent, and a bad file named by its key, never ignored.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultConfig, inRanges, loadConfig, parseConfig } from "../../../agent/src/config";

describe("qvmd config", () => {
  it("defaults to nothing of the host's: no uplinks, no adoptable bridges, no privileged ports", () => {
    const c = defaultConfig();
    assert.deepEqual(c.bridges.uplinks, []);
    assert.deepEqual(c.bridges.adoptable, []);
    assert.deepEqual(c.bridges.addressRanges, ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
    assert.equal(c.portForwards.minHostPort, 1024);
  });

  it("defaults to downloads from public addresses only, within bounds", () => {
    const c = defaultConfig();
    assert.deepEqual(c.downloads.deniedNetworks, ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16"]);
    assert.ok(c.uploads.maxBytes > 0 && c.downloads.maxBytes > 0 && c.downloads.maxRedirects > 0);
    assert.equal(
      c.logs.maxBytes,
      16 * 1024 * 1024,
      "a guest's logs are capped unless the admin says otherwise",
    );
  });

  it("reads an absent file as the defaults, and a partial one over them", () => {
    assert.deepEqual(loadConfig(path.join(os.tmpdir(), "qvx-no-such-config.json")), defaultConfig());
    const c = parseConfig('{"downloads": {"maxRedirects": 2}}');
    assert.equal(c.downloads.maxRedirects, 2);
    assert.deepEqual(c.downloads.schemes, ["https", "http"]);
    assert.equal(c.uploads.maxBytes, defaultConfig().uploads.maxBytes);
  });

  it("refuses unknown keys, bad values and non-JSON, naming the key", () => {
    assert.throws(() => parseConfig('{"download": {}}', "f.json"), /f\.json: \(top level\):.*download/);
    assert.throws(() => parseConfig('{"downloads": {"scheme": ["x"]}}'), /downloads:.*scheme/);
    assert.throws(() => parseConfig('{"downloads": {"schemes": ["ftp"]}}'), /downloads\.schemes\.0/);
    assert.throws(
      () => parseConfig('{"downloads": {"deniedNetworks": ["10.0.0.1/8"]}}'),
      /deniedNetworks\.0/,
    );
    assert.throws(() => parseConfig('{"uploads": {"maxBytes": -1}}'), /uploads\.maxBytes/);
    assert.throws(() => parseConfig('{"bridges": {"uplink": ["x"]}}'), /bridges:.*uplink/);
    assert.throws(
      () => parseConfig('{"bridges": {"uplinks": ["a b"]}}'),
      /bridges\.uplinks\.0: an interface name/,
    );
    assert.throws(() => parseConfig('{"portForwards": {"minHostPort": 0}}'), /portForwards\.minHostPort/);
    assert.throws(() => parseConfig('{"logs": {"maxBytes": 100}}'), /logs\.maxBytes/);
    assert.throws(() => parseConfig("{"), /not JSON/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-config-"));
    try {
      fs.mkdirSync(path.join(dir, "c.json"));
      assert.throws(() => loadConfig(path.join(dir, "c.json")), /c\.json: EISDIR/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("matches addresses against ranges", () => {
    assert.ok(inRanges("10.2.3.4", ["10.0.0.0/8"]));
    assert.ok(!inRanges("8.8.8.8", ["10.0.0.0/8", "192.168.0.0/16"]));
    assert.ok(!inRanges("not an ip", ["0.0.0.0/0"]));
  });
});
