// examples/quickstart-python: the pulumi_qemu wheel and sdist as `make dist` builds them, the wheel
// installed into a fresh venv (its dependencies from the local wheelhouse `make setup` made, no
// index), the example copied outside the checkout and run with that venv's Python through the real
// Pulumi CLI against a real qvmd.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/workspace";
import { useLeakCheck } from "../helpers/leaks";
import { describeQuickstart, runIn } from "../helpers/quickstart-lang";

useLeakCheck();

const wheelhouse = path.join(ROOT, ".tools", "python", "wheels");
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as { version: string })
  .version;

describeQuickstart(
  "examples/quickstart-python: the built wheel in a fresh venv, through the Pulumi CLI",
  {
    example: "quickstart-python",
    async prepare(dir, project) {
      const dist = path.join(dir, "dist");
      await runIn(["bash", path.join(ROOT, "scripts", "dist", "python.sh"), dist], ROOT, {});
      const files = fs.readdirSync(dist).sort();
      assert.deepEqual(files, [`pulumi_qemu-${version}-py3-none-any.whl`, `pulumi_qemu-${version}.tar.gz`]);
      const venv = path.join(dir, "venv");
      await runIn(["python3", "-m", "venv", venv], dir, {});
      const python = path.join(venv, "bin", "python");
      await runIn(
        [
          python,
          "-m",
          "pip",
          "install",
          "-q",
          "--disable-pip-version-check",
          "--no-index",
          "--find-links",
          wheelhouse,
          path.join(dist, files[0]!),
          "pulumi==3.248.0",
        ],
        dir,
        {},
      );
      // The SDK comes from the venv, not from the checkout.
      const where = await runIn(
        [python, "-c", "import pulumi_qemu; print(pulumi_qemu.__file__)"],
        project,
        {},
      );
      assert.ok(where.stdout.startsWith(path.join(venv, "lib")), where.stdout);
      return (action, stack, config, result) => [
        python,
        "automation.py",
        action,
        "--stack",
        stack,
        ...config.flatMap((c) => ["--config", c]),
        "--result",
        result,
      ];
    },
  },
  "10.244.11",
);
