"""Runs __main__.py through the Automation API as an inline program, so the CLI needs no Python
language host (none is available where this project is tested). The e2e test drives it.

usage: python automation.py up|preview|destroy [--stack NAME] [--config KEY=VALUE ...] [--result FILE]

The backend and the rest come from the usual environment (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE,
...). The engine's progress goes to stderr; the result (summary and outputs) is written as JSON to
--result, or to stdout.
"""

import argparse
import json
import os
import runpy
import sys

from pulumi import automation as auto

HERE = os.path.dirname(os.path.abspath(__file__))


def program() -> None:
    # What the Python language host does with a project directory.
    runpy.run_path(os.path.join(HERE, "__main__.py"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["up", "preview", "destroy"])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--result")
    args = parser.parse_args()

    stack = auto.create_or_select_stack(
        stack_name=args.stack,
        project_name="qemu-quickstart-python",
        program=program,
        opts=auto.LocalWorkspaceOptions(work_dir=HERE),
    )
    for item in args.config:
        key, _, value = item.partition("=")
        stack.set_config(key, auto.ConfigValue(value=value))

    def progress(line: str) -> None:
        print(line, file=sys.stderr)

    if args.action == "up":
        up = stack.up(on_output=progress)
        result = {
            "result": up.summary.result,
            "changes": up.summary.resource_changes,
            "outputs": {k: v.value for k, v in up.outputs.items()},
        }
    elif args.action == "preview":
        result = {"changes": stack.preview(on_output=progress).change_summary}
    else:
        destroy = stack.destroy(on_output=progress)
        result = {"result": destroy.summary.result, "changes": destroy.summary.resource_changes}

    text = json.dumps(result)
    if args.result:
        with open(args.result, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
