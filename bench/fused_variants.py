#!/usr/bin/env python3
"""
Every setting of the fused inverted-residual kernel (torch/fused_triton.py's CANDIDATES and every gather
setting of torch/fused_gather.py) on every block of MobileNetV2 (width 1.0, 224x224; random weights of the
real shapes, which is all timing needs), FP16 channels-last on the GPU, against PyTorch's operators on the same
weights. One JSON line per batch, block and setting:
  {"batch", "block", "shape": [cin, cexp, cout, stride, h], "setting", "ms" (CUDA graph, torch_timing.graph_ms),
   "relL2" (vs PyTorch's FP32 operators on the same FP16-rounded weights and input), "ok"}
or {"error": first line} where a setting does not compile or fails; then per batch {"kind": "best"}: each
block's fastest setting and the sum of the per-block bests against PyTorch's. Bounded: every row stops at
--budget seconds of wall time in all (the rest are printed as skipped).
Usage: fused_variants.py [--batches 256,1] [--blocks 0-16] [--budget 220]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import torch  # noqa: E402
from fused_blocks import unfused  # noqa: E402

# (cin, expansion factor, cout, stride, input side) of MobileNetV2's 17 inverted-residual blocks.
MOBILENET_V2 = [
    (32, 1, 16, 1, 112), (16, 6, 24, 2, 112), (24, 6, 24, 1, 56), (24, 6, 32, 2, 56),
    (32, 6, 32, 1, 28), (32, 6, 32, 1, 28), (32, 6, 64, 2, 28), (64, 6, 64, 1, 14),
    (64, 6, 64, 1, 14), (64, 6, 64, 1, 14), (64, 6, 96, 1, 14), (96, 6, 96, 1, 14),
    (96, 6, 96, 1, 14), (96, 6, 160, 2, 14), (160, 6, 160, 1, 7), (160, 6, 160, 1, 7),
    (160, 6, 320, 1, 7),
]


def random_block(index, dtype=torch.float16, device="cpu"):
    """(block as fused_blocks.match_blocks describes it, weights by name) with seeded random weights of the
    block's real shapes, scaled so activations stay in ReLU6's working range; rounded through FP16 either way."""
    cin, t, cout, stride, _ = MOBILENET_V2[index]
    cexp = cin * t
    g = torch.Generator().manual_seed(index)
    rnd = lambda *shape, scale: (torch.randn(*shape, generator=g) * scale).half().to(device, dtype)  # noqa: E731
    w = {"d.w": rnd(cexp, 1, 3, 3, scale=0.4), "d.b": rnd(cexp, scale=0.2),
         "p.w": rnd(cout, cexp, 1, 1, scale=cexp ** -0.5), "p.b": rnd(cout, scale=0.1)}
    if t != 1:
        w.update({"e.w": rnd(cexp, cin, 1, 1, scale=2 * cin ** -0.5), "e.b": rnd(cexp, scale=0.5)})
    block = {"output": "block%d" % index, "stride": stride, "residual": stride == 1 and cin == cout,
             "expand": ("e.w", "e.b") if t != 1 else None, "depthwise": ("d.w", "d.b"), "project": ("p.w", "p.b")}
    return block, w


def block_input(index, batch, dtype=torch.float16, device="cpu", max_side=None):
    """The block's seeded random input; max_side crops the map (Triton's interpreter is slow on 112x112)."""
    cin, _, _, _, side = MOBILENET_V2[index]
    side = min(side, max_side or side)
    g = torch.Generator().manual_seed(1000 + index)
    x = torch.randn(batch, cin, side, side, generator=g).half()
    return x.to(device, dtype).contiguous(memory_format=torch.channels_last)


def rel_l2(got, want):
    return float((got.float() - want.float()).norm() / want.float().norm())


def reference(index, batch, device, max_side=None):
    """The block's FP32 PyTorch output on the FP16-rounded weights and input."""
    block, w32 = random_block(index, torch.float32, device)
    return unfused(block_input(index, batch, torch.float32, device, max_side), block, w32.__getitem__)


def time_block(index, batch, kernel, settings, deadline, emit):
    """One row per setting (PyTorch's operators as "torch") for one block, but those that decline its shape;
    returns [(ms, setting)]."""
    from fused_triton import declines
    from torch_timing import graph_ms
    block, w = random_block(index, device="cuda")
    x = block_input(index, batch, device="cuda")
    want = reference(index, batch, "cuda")
    p = kernel.weights(block, w.__getitem__)
    settings = [c for c in settings if not declines(c, p)]
    cin, t, cout, stride, side = MOBILENET_V2[index]
    base = {"batch": batch, "block": index, "shape": [cin, cin * t, cout, stride, side]}
    found = []
    for c in settings:
        row = dict(base, setting=c)
        if time.monotonic() > deadline:
            emit(**row, skipped="out of time")
            continue
        try:
            run = (lambda: unfused(x, block, w.__getitem__)) if c == "torch" else \
                (lambda c=c: kernel.launch(x, block, p, c))
            with torch.no_grad():
                row["relL2"] = rel_l2(run(), want)
                row["ok"] = row["relL2"] < 2e-3
                row["ms"] = graph_ms(run)
            found.append((row["ms"], c))
        except Exception as e:  # a setting that does not compile for this block is reported, the rest go on
            row["error"] = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
        emit(**row)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="256,1")
    ap.add_argument("--blocks", default="0-16")
    ap.add_argument("--budget", type=float, default=220.0)
    ap.add_argument("--settings", default="all", help="all, or gather (its settings and PyTorch's operators)")
    args = ap.parse_args()
    from fused_gather import GATHER_SETTINGS
    from fused_triton import CANDIDATES, FusedKernel
    emit = lambda **f: print(json.dumps(f), flush=True)  # noqa: E731
    lo, _, hi = args.blocks.partition("-")
    blocks = range(int(lo), int(hi or lo) + 1)
    older = [c for c in CANDIDATES if c not in GATHER_SETTINGS and (args.settings == "all" or c == "torch")]
    settings = older + GATHER_SETTINGS
    deadline = time.monotonic() + args.budget
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False  # the FP32 reference must be FP32
    emit(kind="env", gpu=torch.cuda.get_device_name(), torch=torch.__version__,
         triton=__import__("triton").__version__)
    for batch in [int(b) for b in args.batches.split(",")]:
        kernel, best = FusedKernel(), []
        for i in blocks:
            found = time_block(i, batch, kernel, settings, deadline, emit)
            torch_ms = [ms for ms, c in found if c == "torch"]
            fastest = min(found, key=lambda f: f[0]) if found else None
            best.append({"block": i, "torchMs": torch_ms[0] if torch_ms else None,
                         "bestMs": fastest and fastest[0], "best": fastest and fastest[1]})
        done = [b for b in best if b["torchMs"] is not None and b["bestMs"] is not None]
        emit(kind="best", batch=batch, blocks=best, torchSumMs=sum(b["torchMs"] for b in done),
             bestSumMs=sum(b["bestMs"] for b in done))


if __name__ == "__main__":
    main()
