// qvmd's socket: we accept each connection ourselves, read its peer's credentials, then hand it to
// the gRPC server (grpc-js's connection injector). grpc-js alone cannot tell a handler who called.
import * as grpc from "@grpc/grpc-js";
import * as net from "node:net";
import { peerCred, peerToken } from "./creds";

/** Listens on `socket` and serves `server` on it; every call can then name its caller. */
export async function listenWithPeerCredentials(
  server: grpc.Server,
  socket: string,
  log: (m: string) => void,
): Promise<net.Server> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = net.createServer((conn) => {
    const fd = (conn as unknown as { _handle?: { fd?: number } })._handle?.fd;
    let token: string;
    try {
      if (typeof fd !== "number" || fd < 0) throw new Error("no descriptor for the connection");
      token = peerToken(peerCred(fd));
    } catch (e) {
      // Unknown caller: refuse the connection rather than serve it as anybody.
      log(`refused a connection: cannot read its peer credentials: ${(e as Error).message}`);
      conn.destroy();
      return;
    }
    // http2 reads the session's remote address through to this socket; grpc-js reports it as the
    // call's peer.
    Object.defineProperty(conn, "remoteAddress", { value: token });
    conn.on("error", () => undefined); // a client going away mid-call is not qvmd's error
    injector.injectConnection(conn);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(socket, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  return listener;
}
