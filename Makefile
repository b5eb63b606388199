# pulumi-qemu. `make setup` installs everything a fresh machine lacks (idempotent, quick when done);
# `make up` runs an example with the local file backend; `make check` is the quick front door (no
# root, no host objects); `make test` is what CI runs.
SHELL := /bin/bash
EXAMPLE ?= quickstart
ROOT := $(CURDIR)
export PATH := $(ROOT)/.tools/pulumi:$(ROOT)/provider:$(ROOT)/node_modules/.bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_CONFIG_PASSPHRASE ?=
export PULUMI_HOME ?= $(ROOT)/.state/pulumi-home

.PHONY: setup apt users npm pulumi python golang build dist dist-python gen gen-check check-sdk lint format typecheck check test test-unit test-integration test-e2e test-chaos up down bench bench-setup

setup: apt users npm pulumi python golang build

apt:
	@bash scripts/setup-apt.sh

users:
	@bash scripts/setup-users.sh

npm:
	@bash scripts/setup-npm.sh

pulumi:
	@bash scripts/install-pulumi.sh

python:
	@bash scripts/setup-python.sh

golang:
	@bash scripts/setup-go.sh

build:
	@rm -rf api/dist agent/dist provider/dist && tsc -p api && tsc -p agent && bash agent/native/build.sh && tsc -p provider && (cd sdk/nodejs && tsc -p tsconfig.json && cp package.json bin/)

# What users install, versioned from VERSION, into dist/ (scripts/dist/, one script per artifact):
# the plugin tarball, the qvmd .deb, the Node SDK tarball, the Python sdist and wheel.
dist: build
	@bash scripts/dist/build.sh

# The pulumi_qemu sdist and wheel alone, into dist/python.
dist-python:
	@bash scripts/dist/python.sh

gen:
	@bash scripts/gen.sh

# Generated code is committed; CI fails when regenerating changes it.
gen-check: gen
	@git diff --exit-code -- schema.json sdk api/src/gen api/src/version.ts api/package.json agent/package.json \
	  provider/package.json package-lock.json || \
	  (echo "generated files are out of date: run 'make gen' and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain -- sdk api/src/gen)" || \
	  (echo "generated files are missing from git: run 'make gen' and commit" >&2; git status --porcelain -- sdk api/src/gen >&2; exit 1)

# The Go SDK and the Go example build and pass vet; the Python sdist and wheel build (the e2e tests
# run both examples).
check-sdk:
	@cd sdk/go && go build ./... && go vet ./...
	@cd examples/quickstart-go && go vet ./...
	@d="$$(mktemp -d)" && bash scripts/dist/python.sh "$$d" >/dev/null && rm -rf "$$d"

# TypeScript (eslint with the import boundaries, prettier), shell scripts, the Python helper.
# pyflakes comes from Debian's python3-pyflakes, so it runs under Debian's interpreter, not the
# `python3` first on PATH (which may be another install without it).
lint:
	@eslint . && prettier --check . && bash scripts/lint-shell.sh && /usr/bin/python3 -m pyflakes agent/helpers test/unit/arpscan

format:
	@prettier --write .

typecheck: build
	@tsc -p tsconfig.json

# The unit tests load the native addons (agent/native) from agent/dist/native.
test-unit:
	@bash agent/native/build.sh && mocha 'test/unit/**/*.test.ts' && python3 -m unittest discover -s test/unit/arpscan -p 'test_*.py'

# Everything that needs neither root nor host objects: run it before every commit (< 2 minutes).
check: gen-check lint typecheck test-unit

test-integration: build
	@mocha --timeout 300000 'test/integration/**/*.test.ts'

test-e2e: dist
	@mocha --timeout 1200000 'test/e2e/**/*.test.ts'

# `make check` as a user without privileges: from root (CI), as `nobody` on a clone of HEAD (see the
# script); from anyone else, `make check` itself. `make test` runs it in place of `make check`.
.PHONY: check-unprivileged
check-unprivileged:
	@bash scripts/check-unprivileged.sh

# Crash anywhere, converge always (issue 11): qvmd and the Pulumi CLI killed mid-operation, damaged
# state. Part of `make test`.
test-chaos: build
	@mocha --timeout 1200000 'test/chaos/**/*.test.ts'

# Everything CI runs, in order of cost.
test: check-unprivileged check-sdk test-integration test-e2e test-chaos

up: build
	@tsx scripts/stack.ts up $(EXAMPLE)

down: build
	@tsx scripts/stack.ts destroy $(EXAMPLE)

# Benchmarks need libvirt (the peer in bench/libvirt); CI runs no benches, so `make setup` skips it.
bench-setup:
	@bash scripts/setup-apt.sh bench-packages.txt

# Every bench, each beside its peer or floor in the same run, then one table (bench/all.ts).
# Run it under the host lock; BENCH_ARGS="--quick" for a short run, "--only libvirt,memory" for some.
bench: build bench-setup
	@tsx bench/all.ts $(BENCH_ARGS)
