# Aliases for the CLI; each target installs what it needs first. `make` runs every stage this machine can run.
SHELL := /bin/bash
CLI := node pipeline.mjs
CONFIG ?= configs/mobilenetv2.yaml
TS_SOURCES := main.ts $(shell find pipeline onnx stages test bench -name '*.ts' 2>/dev/null)

.PHONY: all run onnx engines bench report graph plan test clean deps debian-run debian-test bench-build bench-noop bench-optimize bench-scale bench-make screenshots models
all: run

node_modules/.package-lock.json: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

debian-run:
	@bash scripts/setup-debian.sh run
debian-test:
	@bash scripts/setup-debian.sh test

dist/.built: node_modules/.package-lock.json $(TS_SOURCES) tsconfig.json scripts/bundle.mjs
	npx tsc -p tsconfig.json
	node scripts/bundle.mjs
	@touch $@

run: debian-run dist/.built
	$(CLI) run --config $(CONFIG)
onnx: dist/.built
	$(CLI) onnx --config $(CONFIG)
engines: dist/.built
	$(CLI) engines --config $(CONFIG)
bench: debian-run dist/.built
	$(CLI) bench --config $(CONFIG)
report: dist/.built
	$(CLI) report --config $(CONFIG)
graph: dist/.built
	$(CLI) graph --config $(CONFIG)
plan: dist/.built
	$(CLI) plan --config $(CONFIG)

# The real third-party models of configs/examples/models.json, into .cache/models/.
models: deps
	node scripts/fetch-models.mjs

# Test files are listed from the sources, so a compiled test whose source was deleted never runs.
TESTS = $(patsubst %.ts,dist/%.js,$(shell find test -name '*.test.ts' | sort))
test: debian-test dist/.built
	node --test --test-concurrency=2 $(TESTS)

bench-build: debian-test dist/.built
	node dist/bench/build.js
bench-noop: dist/.built
	CONFIG=$(CONFIG) node dist/bench/noop.js
bench-optimize: debian-test dist/.built
	node dist/bench/optimize.js
# The default run as a user sits through it: wall time (set-up vs pipeline) and the longest silence.
bench-make: dist/.built
	node dist/bench/make-run.js $(MAKE) --no-print-directory
# report.html and graph.html of the latest run, at 1400 px in headless Chromium, into docs/report/.
screenshots: debian-test dist/.built
	node dist/bench/screenshots.js
bench-scale: dist/.built
	node dist/bench/scale.js

clean:
	rm -rf artifacts dist
