// Loads qvmd.proto at run time (proto-loader); the committed types in ./gen describe its messages.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";
import { BUNDLED, besideExecutable } from "./bundle";
import type { ProtoGrpcType } from "./gen/qvmd";

/** The contract's directory: beside the executable when bundled, else the same relative place from
 * src/ (tests) and dist/ (installed). qvmd.proto (the service) imports its messages from qvmd/v1/. */
export const PROTO_DIR = BUNDLED ? besideExecutable("proto") : path.join(__dirname, "..", "proto");
export const PROTO_FILE = path.join(PROTO_DIR, "qvmd.proto");

export function loadQvmd(): ProtoGrpcType {
  const def = protoLoader.loadSync(PROTO_FILE, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [PROTO_DIR],
  });
  return grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
}
