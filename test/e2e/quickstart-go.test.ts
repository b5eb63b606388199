// examples/quickstart-go: the example copied outside the checkout, built against the generated Go
// SDK (sdk/go, by a replace) and run through the real Pulumi CLI against a real qvmd.
import * as path from "node:path";
import { ROOT } from "../helpers/workspace";
import { useLeakCheck } from "../helpers/leaks";
import { describeQuickstart, runIn } from "../helpers/quickstart-lang";

useLeakCheck();

describeQuickstart(
  "examples/quickstart-go: the generated Go SDK, through the Pulumi CLI",
  {
    example: "quickstart-go",
    async prepare(dir, project) {
      const sdk = path.join(ROOT, "sdk", "go");
      await runIn(
        ["go", "mod", "edit", `-replace=github.com/pulumi-qemu/pulumi-qemu/sdk/go=${sdk}`],
        project,
        {},
      );
      const bin = path.join(dir, "quickstart.test");
      await runIn(["go", "test", "-c", "-o", bin, "."], project, { GOFLAGS: "-mod=readonly" });
      return (action, stack, config, result) => [
        bin,
        "-test.run",
        "^TestAutomation$",
        "-action",
        action,
        "-stack",
        stack,
        ...config.flatMap((c) => ["-config", c]),
        "-result",
        result,
      ];
    },
  },
  "10.244.12",
);
