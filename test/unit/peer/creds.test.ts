// The caller's credentials: read by the native addon from a real unix socket connection, carried
// to the handler as the call's peer, and nothing else parses as a caller.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { callerOf, peerCred, peerToken } from "../../../agent/src/peer/creds";

describe("peer credentials (SO_PEERCRED)", () => {
  it("reads the connecting process's uid, gid and pid from the accepted socket", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-peer-"));
    const sock = path.join(dir, "s");
    try {
      const seen = new Promise<ReturnType<typeof peerCred>>((resolve, reject) => {
        const server = net.createServer((c) => {
          try {
            resolve(peerCred((c as unknown as { _handle: { fd: number } })._handle.fd));
          } catch (e) {
            reject(e as Error);
          } finally {
            c.destroy();
            server.close();
          }
        });
        server.listen(sock, () => net.connect(sock).on("error", () => undefined));
      });
      assert.deepEqual(await seen, { uid: process.getuid!(), gid: process.getgid!(), pid: process.pid });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a descriptor that is not a unix socket", () => {
    const fd = fs.openSync(__filename, "r");
    try {
      assert.throws(() => peerCred(fd), /Socket operation on non-socket|not a socket/i);
    } finally {
      fs.closeSync(fd);
    }
    assert.throws(() => peerCred(-1), /non-negative integer/);
  });

  it("round-trips through the peer token; any other peer string is no caller", () => {
    const c = { uid: 1000, gid: 1001, pid: 42 };
    assert.deepEqual(callerOf(peerToken(c)), c);
    for (const p of [
      "unknown",
      "127.0.0.1:5000",
      "peer uid=0 gid=0",
      " peer uid=0 gid=0 pid=1",
      "peer uid=-1 gid=0 pid=1",
    ])
      assert.equal(callerOf(p), undefined, p);
  });
});
