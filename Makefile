# Aliases for the CLI; each target installs what it needs first. `make` runs every stage this machine can run.
SHELL := /bin/bash
CLI := node pipeline.mjs
CONFIG ?= configs/mobilenetv2.yaml
TS_SOURCES := $(shell find pipeline onnx stages test bench -name '*.ts' 2>/dev/null)

.PHONY: all run onnx engines bench report graph plan test clean deps debian bench-build bench-noop bench-optimize
all: run

node_modules/.package-lock.json: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

debian:
	@bash scripts/setup-debian.sh

dist/.built: node_modules/.package-lock.json $(TS_SOURCES) tsconfig.json
	npx tsc -p tsconfig.json
	@touch $@

run: dist/.built
	$(CLI) run --config $(CONFIG)
onnx: dist/.built
	$(CLI) onnx --config $(CONFIG)
engines: dist/.built
	$(CLI) engines --config $(CONFIG)
bench: dist/.built
	$(CLI) bench --config $(CONFIG)
report: dist/.built
	$(CLI) report --config $(CONFIG)
graph: dist/.built
	$(CLI) graph --config $(CONFIG)
plan: dist/.built
	$(CLI) plan --config $(CONFIG)

test: debian dist/.built
	node --test --test-concurrency=2 'dist/test/**/*.test.js'

bench-build: debian dist/.built
	node dist/bench/build.js
bench-noop: dist/.built
	CONFIG=$(CONFIG) node dist/bench/noop.js
bench-optimize: debian dist/.built
	node dist/bench/optimize.js

clean:
	rm -rf artifacts dist
