#!/usr/bin/env python3
"""
Every setting of the fused inverted-residual kernel (torch/fused_triton.py's CANDIDATES and every gather
setting of torch/fused_gather.py) on every block of MobileNetV2 (width 1.0, 224x224; random weights of the
real shapes, which is all timing needs), FP16 channels-last on the GPU, against PyTorch's operators on the same
weights. One JSON line per batch, block and setting:
  {"batch", "block", "shape": [cin, cexp, cout, stride, h], "setting", "ms" (CUDA graph, torch_timing.graph_ms),
   "relL2" (vs PyTorch's FP32 operators on the same FP16-rounded weights and input), "ok"}
and for gather settings the tile "geometry" (the kernel's constants and grid); or {"error": first line} where
a setting does not compile or fails. Every kernel is first compiled (run once) from --workers threads, then
timed one after another. Per batch {"kind": "best"}: each block's fastest setting and the sum of the
per-block bests against PyTorch's. Bounded: each batch size gets its share of --budget seconds (the first, 256,
two thirds, as the later ones reuse its compiled kernels) and nothing new starts past it (rows are printed as
skipped), so a run ends at most one compile or timing past the budget.
Usage: fused_variants.py [--batches 256,1] [--blocks 0-16] [--budget 200] [--settings all|gather] [--workers 16]
       [--cpu-smoke] (no GPU: Triton's interpreter on the CPU, maps cropped; the scratch and recompute kernels
       fail there, as rows that say so)
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


class Case:
    """One block at one batch size on the GPU: its weights (FP16, and as the kernel prepares them), its input,
    its FP32 reference output."""

    def __init__(self, index, batch, kernel, device="cuda", max_side=None):
        self.index, self.batch = index, batch
        self.block, self.w = random_block(index, device=device)
        self.x = block_input(index, batch, device=device, max_side=max_side)
        self.want = reference(index, batch, device, max_side)
        self.p = kernel.weights(self.block, self.w.__getitem__)
        self.kernel = kernel

    def runner(self, c):
        if c == "torch":
            return lambda: unfused(self.x, self.block, self.w.__getitem__)
        return lambda: self.kernel.launch(self.x, self.block, self.p, c)

    def row(self, c):
        cin, t, cout, stride, side = MOBILENET_V2[self.index]
        row = {"batch": self.batch, "block": self.index, "shape": [cin, cin * t, cout, stride, side], "setting": c}
        if c != "torch" and c.get("kernel") == "gather":
            from fused_gather import geometry
            row["geometry"] = geometry(self.x.shape, stride, cout, c)
        return row


def compile_all(cases, settings, workers, deadline):
    """Runs every (case, kernel setting) once from a pool of threads, so Triton compiles them side by side
    instead of one after another inside the timed loop. Only a cache warm-up: a failure here (Triton's
    interpreter, for one, is not thread-safe) is not reported; the timed run tries again and says why."""
    from concurrent.futures import ThreadPoolExecutor
    from fused_triton import declines

    def one(job):
        case, i = job
        if time.monotonic() > deadline:
            return
        try:
            with torch.no_grad():
                case.runner(settings[i])()
            if case.x.is_cuda:
                torch.cuda.synchronize()
        except Exception:  # the timed run reports it
            pass
    with ThreadPoolExecutor(workers) as pool:
        jobs = [(case, i) for case in cases for i, c in enumerate(settings)
                if c != "torch" and not declines(c, case.p)]
        list(pool.map(one, jobs))


def _ms(fn):
    """GPU time of one call under a CUDA graph; on the CPU (--cpu-smoke) one call's wall time."""
    if torch.cuda.is_available():
        from torch_timing import graph_ms
        return graph_ms(fn)
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def time_case(case, settings, deadline, emit):
    """One row per setting for one block, but those that decline its shape; returns [(ms, setting)]."""
    from fused_triton import declines
    found = []
    for c in settings:
        if declines(c, case.p):
            continue
        row = case.row(c)
        if time.monotonic() > deadline:
            emit(**row, error="skipped: out of time")
            continue
        try:
            with torch.no_grad():
                row["relL2"] = rel_l2(case.runner(c)(), case.want)
                row["ok"] = row["relL2"] < 2e-3
                row["ms"] = _ms(case.runner(c))
            found.append((row["ms"], c))
        except Exception as e:  # a setting that fails for this block is reported, the rest go on
            row["error"] = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
        emit(**row)
    return found


def best_of(index, found):
    torch_ms = [ms for ms, c in found if c == "torch"]
    fastest = min(found, key=lambda f: f[0]) if found else (None, None)
    return {"block": index, "torchMs": torch_ms[0] if torch_ms else None, "bestMs": fastest[0], "best": fastest[1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="256,1")
    ap.add_argument("--blocks", default="0-16")
    ap.add_argument("--budget", type=float, default=200.0)
    ap.add_argument("--settings", default="all", help="all, or gather (its settings and PyTorch's operators)")
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--cpu-smoke", action="store_true",
                    help="the script's own check without a GPU: Triton's interpreter, maps cropped to 14x14")
    args = ap.parse_args()
    if args.cpu_smoke:
        os.environ["TRITON_INTERPRET"] = "1"
    device, max_side = ("cpu", 14) if args.cpu_smoke else ("cuda", None)
    from fused_gather import GATHER_SETTINGS
    from fused_triton import CANDIDATES, FusedKernel
    emit = lambda **f: print(json.dumps(f), flush=True)  # noqa: E731
    lo, _, hi = args.blocks.partition("-")
    # PyTorch's operators first, then the new settings, the older kernels last: what is left out of time is
    # what round 3 measured already.
    older = [c for c in CANDIDATES if c not in GATHER_SETTINGS and c != "torch" and args.settings == "all"]
    settings = ["torch"] + GATHER_SETTINGS + older
    deadline = time.monotonic() + args.budget
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False  # the FP32 reference must be FP32
    emit(kind="env", gpu=torch.cuda.get_device_name() if device == "cuda" else "cpu", torch=torch.__version__,
         triton=__import__("triton").__version__)
    batches = [int(b) for b in args.batches.split(",")]
    for n, batch in enumerate(batches):
        # Two thirds of what is left to each batch size but the last (which reuses most of the compiled
        # kernels); half of that to the compile phase.
        t0 = time.monotonic()
        until = t0 + (deadline - t0) * (1.0 if n == len(batches) - 1 else 2.0 / 3.0)
        kernel = FusedKernel()
        cases = [Case(i, batch, kernel, device, max_side) for i in range(int(lo), int(hi or lo) + 1)]
        compile_all(cases, settings, 1 if args.cpu_smoke else args.workers, (t0 + until) / 2)
        emit(kind="compiled", batch=batch, seconds=round(time.monotonic() - t0, 1))
        best = [best_of(case.index, time_case(case, settings, until, emit)) for case in cases]
        done = [b for b in best if b["torchMs"] is not None and b["bestMs"] is not None]
        emit(kind="best", batch=batch, blocks=best, torchSumMs=sum(b["torchMs"] for b in done),
             bestSumMs=sum(b["bestMs"] for b in done))


if __name__ == "__main__":
    main()
