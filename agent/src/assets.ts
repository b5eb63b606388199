// Files qvmd reads at run time that are not code: in the source tree, or beside the executable in
// the package (scripts/dist/deb.sh).
import * as path from "node:path";
// The bundle module alone: the DNS forwarder process reads this file too, and the package index
// would load gRPC and protobufjs into it (~10 MB it never uses).
import { BUNDLED, besideExecutable } from "@pulumi-qemu/api/bundle";

/**
 * The path of native addon `<name>.node` (agent/native/README.md): beside the executable in the
 * package, else where `make build` puts it (agent/dist/native).
 */
export const nativeAddon = (name: string) =>
  BUNDLED
    ? besideExecutable(`${name}.node`)
    : path.resolve(__dirname, "..", "..", "agent", "dist", "native", `${name}.node`);

export const assets = {
  /** The ARP sweeper run inside network namespaces. */
  arpscan: BUNDLED ? besideExecutable("arpscan.py") : path.join(__dirname, "..", "helpers", "arpscan.py"),
  /** The DNS forwarder's batched UDP (agent/native/udp). */
  udpAddon: nativeAddon("qvmd-udp"),
  /** The native addon that reads a caller's credentials (agent/native/peercred). */
  peercred: nativeAddon("peercred"),
  /** Gives back free malloc memory and the executable's startup pages (agent/native/memtrim). */
  memtrim: nativeAddon("memtrim"),
  /** Starts QEMU and qemu-img as the sandbox user, with the TAPs and sockets only root can open. */
  sandboxExec: BUNDLED
    ? besideExecutable("sandbox-exec.py")
    : path.join(__dirname, "..", "helpers", "sandbox-exec.py"),
};
