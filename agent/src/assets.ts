// Files qvmd reads at run time that are not code: in the source tree, or beside the executable in
// the package (scripts/dist/deb.sh).
import * as path from "node:path";
import { BUNDLED, besideExecutable } from "@pulumi-qemu/api";

export const assets = {
  /** The ARP sweeper run inside network namespaces. */
  arpscan: BUNDLED ? besideExecutable("arpscan.py") : path.join(__dirname, "..", "helpers", "arpscan.py"),
  /** The DNS forwarder's batched UDP (agent/native/udp, built by make build into agent/dist/native). */
  udpAddon: BUNDLED
    ? besideExecutable("qvmd-udp.node")
    : path.resolve(__dirname, "..", "..", "agent", "dist", "native", "qvmd-udp.node"),
  /** The native addon that reads a caller's credentials (agent/native, built by make build). */
  peercred: BUNDLED
    ? besideExecutable("peercred.node")
    : path.resolve(__dirname, "..", "..", "agent", "dist", "native", "peercred.node"),
};
