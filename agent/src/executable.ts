// The entry point of qvmd's single executable (scripts/dist/deb.sh). One binary plays both of
// qvmd's processes: qvmd itself, and the DNS forwarder process it forks (dns/remote.ts), which it
// tells apart by the "qvmd-dns" argument: a single executable runs its one embedded script
// whatever file fork() names. `qvmd ctl ...` is qvmctl, the admin command (ctl/main.ts).
import { CHILD_TITLE } from "./dns/remote";

/* eslint-disable @typescript-eslint/no-require-imports */
if (process.argv.slice(2).includes(CHILD_TITLE)) require("./dns/child");
else if (process.argv[2] === "ctl")
  (require("./ctl/main") as typeof import("./ctl/main")).cli(process.argv.slice(3));
else require("./main");
