// The QMP client against a scripted server on a unix socket: id matching, events arriving between
// a command and its reply, error replies, timeouts and a dropped connection.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { QvmdError } from "../../../agent/src/errors";
import { QmpClient, QmpCommandError, type QmpEvent } from "../../../agent/src/qemu/qmp";

type Handler = (cmd: { execute: string; id: string; arguments?: unknown }, sock: net.Socket) => void;

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}}\n';

describe("QmpClient (scripted server)", () => {
  let dir: string;
  let server: net.Server;
  let handler: Handler;
  const sockets: net.Socket[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-qmp-"));
    handler = (cmd, sock) => sock.write(JSON.stringify({ return: {}, id: cmd.id }) + "\n");
    server = net.createServer((sock) => {
      sockets.push(sock);
      let buf = "";
      sock.on("data", (d) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const cmd = JSON.parse(line);
          if (cmd.execute === "qmp_capabilities")
            sock.write(JSON.stringify({ return: {}, id: cmd.id }) + "\n");
          else handler(cmd, sock);
        }
      });
      // The greeting in two pieces: the client must not act on half a line.
      sock.write(GREETING.slice(0, 10));
      setImmediate(() => sock.write(GREETING.slice(10)));
    });
    await new Promise<void>((r) => server.listen(path.join(dir, "qmp.sock"), r));
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const connect = () => QmpClient.connect(path.join(dir, "qmp.sock"), { timeoutMs: 2000 });

  it("negotiates, matches replies by id and delivers events that arrive first", async () => {
    handler = (cmd, sock) => {
      if (cmd.execute === "stop") {
        sock.write(
          '{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}\n{"return": {}, "id": "',
        );
        setImmediate(() => sock.write(`${cmd.id}"}\n`));
      } else if (cmd.execute === "query-status")
        sock.write(
          JSON.stringify({ id: cmd.id, return: { status: "paused", running: false, singlestep: false } }) +
            "\n",
        );
    };
    const q = await connect();
    try {
      assert.deepEqual(q.version, { major: 7, minor: 2, micro: 0 });
      const seen: QmpEvent[] = [];
      q.on("event", (e) => seen.push(e));
      const stopped = q.waitEvent("STOP", 2000);
      await q.execute("stop");
      assert.equal((await stopped).event, "STOP");
      assert.deepEqual(await q.queryStatus(), { running: false, status: "paused" });
      assert.equal(seen.length, 1);
    } finally {
      q.close();
    }
  });

  it("answers concurrent commands out of order by id", async () => {
    const held: { id: string; sock: net.Socket }[] = [];
    handler = (cmd, sock) => {
      held.push({ id: cmd.id, sock });
      if (held.length === 2)
        for (const h of held.reverse()) h.sock.write(JSON.stringify({ return: h.id, id: h.id }) + "\n");
    };
    const q = await connect();
    try {
      const [a, b] = await Promise.all([q.execute<string>("a"), q.execute<string>("b")]);
      assert.notEqual(a, b);
      assert.match(a, /^qvm-\d+$/);
    } finally {
      q.close();
    }
  });

  it("turns error replies into typed errors quoting class and desc", async () => {
    handler = (cmd, sock) =>
      sock.write(
        JSON.stringify({
          id: cmd.id,
          error: { class: "CommandNotFound", desc: "The command nope has not been found" },
        }) + "\n",
      );
    const q = await connect();
    try {
      await assert.rejects(q.execute("nope"), (e: unknown) => {
        assert.ok(e instanceof QmpCommandError);
        assert.equal(e.errorClass, "CommandNotFound");
        assert.equal(e.code, "QMP_COMMAND_FAILED");
        assert.match(e.message, /`nope` failed: CommandNotFound: "The command nope has not been found"/);
        return true;
      });
    } finally {
      q.close();
    }
  });

  it("times out a command without a reply, and fails pending commands when the socket drops", async () => {
    handler = () => undefined;
    const q = await connect();
    try {
      await assert.rejects(
        q.execute("slow", undefined, 50),
        (e: unknown) => e instanceof QvmdError && e.code === "QMP_TIMEOUT",
      );
      await assert.rejects(
        q.waitEvent("NEVER", 50),
        (e: unknown) => e instanceof QvmdError && e.code === "QMP_TIMEOUT",
      );
      const pending = q.execute("hang");
      const closed = new Promise((r) => q.on("close", r));
      for (const s of sockets) s.destroy();
      await assert.rejects(pending, (e: unknown) => e instanceof QvmdError && e.code === "QMP_DISCONNECTED");
      await closed;
      assert.ok(q.isClosed);
      await assert.rejects(
        q.execute("after"),
        (e: unknown) => e instanceof QvmdError && e.code === "QMP_DISCONNECTED",
      );
    } finally {
      q.close();
    }
  });

  it("fails connect with a typed error when nobody listens or no greeting comes", async () => {
    await assert.rejects(
      QmpClient.connect(path.join(dir, "absent.sock"), { timeoutMs: 500 }),
      (e: unknown) => e instanceof QvmdError && e.code === "QMP_CONNECT_FAILED",
    );
    const silent = net.createServer((s) => sockets.push(s));
    const p = path.join(dir, "silent.sock");
    await new Promise<void>((r) => silent.listen(p, r));
    try {
      await assert.rejects(
        QmpClient.connect(p, { timeoutMs: 100 }),
        (e: unknown) => e instanceof QvmdError && e.code === "QMP_TIMEOUT",
      );
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
