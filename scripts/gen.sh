#!/usr/bin/env bash
# Regenerates everything generated from a source of truth: schema.json (from scripts/schema.py),
# the Node.js SDK (from schema.json) and the agent's proto types (from agent/api/qvmd.proto).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/schema.py > schema.json
.tools/pulumi/gensdk schema.json sdk/nodejs
# The generator leaves package.json without an entry point (its own build copies it into bin/);
# we consume the SDK in place as an npm workspace, so point it at bin/.
node -e '
const fs = require("fs"); const f = "sdk/nodejs/package.json";
const p = JSON.parse(fs.readFileSync(f, "utf8"));
p.main = "bin/index.js"; p.types = "bin/index.d.ts";
fs.writeFileSync(f, JSON.stringify(p, null, 4) + "\n");'
rm -rf agent/src/api/gen
npx proto-loader-gen-types --grpcLib=@grpc/grpc-js --longs=Number --enums=String --defaults --oneofs --keepCase \
  --outDir=agent/src/api/gen agent/api/qvmd.proto >/dev/null
