// Preloaded (NODE_OPTIONS="--require <this file>") into the DNS forwarder process: a CPU profile
// of its whole life, written to $DNSBENCH_CPUPROF_DIR when it exits (node 20 refuses --cpu-prof in
// NODE_OPTIONS, and the process is forked by qvmd's code with its own arguments). Other node
// processes that load it (the bench driver, serve.ts) are left alone. Read it with cpuprof.ts.
/* global process, require */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, loaded before anything */
"use strict";
const dir = process.env.DNSBENCH_CPUPROF_DIR;
if (dir && process.argv.some((a) => /dns[/\\]child\.[jt]s$/.test(a))) {
  const inspector = require("node:inspector");
  const fs = require("node:fs");
  const path = require("node:path");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    // Same-thread sessions answer synchronously: the profile is written before the process ends.
    session.post("Profiler.stop", (err, r) => {
      if (!err)
        fs.writeFileSync(path.join(dir, `dns-child-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    });
  });
}
