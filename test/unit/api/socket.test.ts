// qvmd's socket path: what a client finds there (real sockets in a temp dir, no root needed), which
// leftovers qvmd may replace, and --socket-group by name.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { groupId, mayReplaceSocket, probeSocket, stateOfConnectError } from "../../../api/src/socket";

describe("qvmd socket probe", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-sock-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("tells a live listener, a crashed one's leftover, a missing path and a non-socket apart", async () => {
    const live = path.join(dir, "live.sock");
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(live, r));
    assert.equal(await probeSocket(live), "answers");
    await new Promise<void>((r) => server.close(() => r()));

    // What kill -9 leaves: a bound socket file whose process is gone.
    const stale = path.join(dir, "stale.sock");
    execFileSync("python3", [
      "-c",
      "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])",
      stale,
    ]);
    assert.ok(fs.lstatSync(stale).isSocket());
    assert.equal(await probeSocket(stale), "refused");

    assert.equal(await probeSocket(path.join(dir, "none.sock")), "missing");
    const file = path.join(dir, "file.sock");
    fs.writeFileSync(file, "");
    assert.equal(await probeSocket(file), "foreign");
    fs.symlinkSync(stale, path.join(dir, "link.sock"));
    assert.equal(await probeSocket(path.join(dir, "link.sock")), "foreign");
  });

  it("maps connect errors to states", () => {
    assert.equal(stateOfConnectError("ECONNREFUSED"), "refused");
    assert.equal(stateOfConnectError("ENOENT"), "missing");
    assert.equal(stateOfConnectError("EACCES"), "denied");
    assert.equal(stateOfConnectError("ENOTSOCK"), "foreign");
  });

  it("lets qvmd replace only a dead socket owned by root", () => {
    assert.equal(mayReplaceSocket("missing", undefined), true);
    assert.equal(mayReplaceSocket("refused", 0), true);
    assert.equal(mayReplaceSocket("refused", 1000), false);
    assert.equal(mayReplaceSocket("answers", 0), false);
    assert.equal(mayReplaceSocket("foreign", 0), false);
    assert.equal(mayReplaceSocket("denied", 0), false);
  });

  it("resolves --socket-group by name or number", () => {
    const groups = "root:x:0:\nqvmdx:x:12:\nqvmd:x:998:alice,bob\nbroken:x:zz:\n";
    assert.equal(groupId("qvmd", groups), 998);
    assert.equal(groupId("qvmdx", groups), 12);
    assert.equal(groupId("4242", groups), 4242);
    assert.equal(groupId("nope", groups), undefined);
    assert.equal(groupId("broken", groups), undefined);
  });
});
