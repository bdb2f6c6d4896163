#!/usr/bin/env bash
# The project's Python: a virtual environment in .venv with the wheels pinned (version and sha256) in
# requirements.txt (run: PyTorch 2 for the CPU and numpy) or requirements-test.txt (test: also onnx 1.23 and
# Triton's interpreter).
#   run:  what `make` uses for the torch runner, the compiled engines and the benchmark. Optional: without it
#         those stages are skipped and say why, so a failure here is one line and exit 0.
#   test: the tests check the compiled engines and onnx 1.23's checker for real: a failure is exit 2.
# Make calls this only when the requirements changed since the last install (the stamp .venv/.installed-MODE),
# so a no-op `make` starts no Python. Each step prints its duration (heartbeat.mjs: "<step>: done in N s").
set -euo pipefail
mode=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$mode" in
  run) requirements=requirements.txt wanted='torch 2.13.0+cpu and numpy' ;;
  test) requirements=requirements-test.txt wanted='torch 2.13.0+cpu, numpy, onnx 1.23.1, onnxscript and triton' ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
venv=$root/.venv
log=$venv/pip-$mode.log

fail() {
  local what="setup: could not install $wanted into .venv ($1)"
  if [ "$mode" = run ]; then
    echo "$what; skipped without it: engine:torch-compile, engine:torch-aoti and the benchmark's torch-eager," \
      "torch-compile and torch-aoti engines (set bench.python to a Python with torch >= 2.7 to use your own)" >&2
    exit 0
  fi
  echo "$what; the tests need it: fix that and run make test again" >&2
  exit 2
}

# pip retries an index it cannot reach 5 times, each waiting up to PIP_DEFAULT_TIMEOUT (180 s in some pip
# configurations): minutes of silence on a machine without network. One try, 5 s.
export PIP_RETRIES=0 PIP_DEFAULT_TIMEOUT=5 PIP_DISABLE_PIP_VERSION_CHECK=1
beat=(node "$root/scripts/heartbeat.mjs")
if [ ! -x "$venv/bin/python3" ]; then
  python=${PYTHON:-python3}
  command -v "$python" >/dev/null || fail "no $python to create it with"
  "${beat[@]}" 'setup: python venv' "$python" -m venv "$venv" || fail "$python -m venv failed"
fi
# pip's own output (and this machine's index warnings) go to the log; the heartbeat says it is still at work.
export EF_PIP_LOG=$log
"${beat[@]}" "setup: pip install -r $requirements" bash -c '"$0" "$@" >"$EF_PIP_LOG" 2>&1' "$venv/bin/python3" \
  -m pip install --only-binary=:all: --no-input -q -r "$root/$requirements" ||
  fail "pip: $(grep -E '^ERROR' "$log" | tail -1 | cut -c1-200); the whole output is in ${log#"$root"/}"
touch "$venv/.installed-$mode"
