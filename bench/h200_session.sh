#!/usr/bin/env bash
# One device call on the GPU machine (docs/benchmarks/h200/ says what each part is). Every step is time-boxed
# and a failing step is logged and passed over, so one call brings back everything that did run.
#   bash bench/h200_session.sh OUT PARTS   PARTS: comma list of env,torchvision,product,engines,blocks,net,aoti,
#   variants
# (torchvision's reference runs first, so a product run cut short by its time box still has it beside it).
# Everything lands in OUT/h200/ and is packed into OUT/h200.tar.gz (the device tool returns few files).
set -u
out=${1:?usage: h200_session.sh OUT PARTS}
parts=",${2:-env,product,torchvision,blocks},"
dir="$out/h200"
mkdir -p "$dir"
log() { echo "[session $(date -u +%H:%M:%S)] $*" | tee -a "$dir/session.log" >&2; }
# step NAME SECONDS COMMAND...: runs it in a time box; its stdout goes to NAME.out, its stderr to NAME.err
step() {
  local name=$1 limit=$2
  shift 2
  log "start $name (limit ${limit}s)"
  local t0=$SECONDS
  timeout --signal=KILL "$limit" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
  local rc=$?
  log "end $name rc=$rc after $((SECONDS - t0))s"
}
has() { [[ $parts == *",$1,"* ]]; }
export PYTHONUNBUFFERED=1

if has env; then
  { nvidia-smi --query-gpu=name,compute_cap,driver_version,clocks.max.sm,memory.total --format=csv,noheader
    node --version
    python3 -c 'import torch, triton; print("torch", torch.__version__, "cuda", torch.version.cuda,
      "triton", triton.__version__, "cudnn", torch.backends.cudnn.version())'
    nproc; lscpu | grep 'Model name'; uname -r; } >"$dir/env.txt" 2>&1
  step bandwidth 60 python3 bench/copy_bandwidth.py 2
fi

if has torchvision; then
  step torchvision 75 python3 bench/torchvision_ref.py 20 100
fi

if has product; then
  # The product, as a user runs it: a cold store, the GPU config; then a no-op `engines` (everything cached).
  rm -rf artifacts
  step product "${PRODUCT_LIMIT:-540}" bash -c 'time node pipeline.mjs run --config configs/h200.yaml --jobs 4 --json'
  # The run's view first: a later command replaces artifacts/latest with its own stages' outputs.
  mkdir -p "$dir/product-run"
  cp -rL artifacts/latest/. "$dir/product-run/" 2>>"$dir/session.log"
  # The models and engine files themselves (MBs each) stay behind; their manifests and the plans come back.
  find "$dir/product-run" -type f -size +1M -delete
  grep -o '"compile[A-Za-z]*": [^,]*' "$dir/product-run/bench.json" >>"$dir/session.log" 2>&1
  step noop 30 bash -c 'time node pipeline.mjs engines --config configs/h200.yaml --json'
fi

if has engines; then
  # The compiled engines alone, cold, then what a no-op `engines` costs once they are in the store.
  rm -rf artifacts
  echo '{"probe": true}' | python3 torch/torch_engine.py >>"$dir/session.log" 2>&1
  step engines 150 bash -c 'time node pipeline.mjs engines --config configs/h200.yaml --json'
  step noop 30 bash -c 'for i in 1 2 3; do time node pipeline.mjs engines --config configs/h200.yaml >/dev/null; done'
fi

if has blocks || has net; then
  [ -f artifacts/latest/model.opt.onnx ] ||
    node pipeline.mjs optimize --config configs/h200.yaml >>"$dir/session.log" 2>&1
  node dist/bench/torch-graph.js artifacts/latest/model.opt.onnx /tmp/torch-graph >>"$dir/session.log" 2>&1
  tg=(/tmp/torch-graph/graph.json /tmp/torch-graph/weights.bin)
  has blocks && step fused-blocks 110 python3 bench/fused_bench.py "${tg[@]}" --blocks-only
  has net && step fused-net 230 python3 bench/fused_bench.py "${tg[@]}" --net-only
fi

if has variants; then
  # Every fused-kernel setting on every block at batch 256 and 1 (bench/fused_variants.py), bounded.
  step variants "$(( ${VARIANTS_BUDGET:-200} + 60 ))" python3 bench/fused_variants.py --batches 256,1 \
    --budget "${VARIANTS_BUDGET:-200}"
fi

if has aoti; then
  step aoti 200 python3 bench/aoti_probe.py /tmp/aoti
fi

rm -rf /tmp/h200-packed
tar -czf "$out/h200.tar.gz" -C "$out" h200 && mv "$out/h200" /tmp/h200-packed
for f in session.log noop.err bandwidth.out torchvision.out fused-blocks.out fused-net.out aoti.out variants.out \
  variants.err; do
  [ -s "/tmp/h200-packed/$f" ] && cp "/tmp/h200-packed/$f" "$out/$f"
done
echo "packed $(du -sh "$out/h200.tar.gz" | cut -f1)"
