"""
The fused kernel's gather settings (torch/fused_gather.py) on the CPU through Triton's interpreter
(TRITON_INTERPRET=1), on MobileNetV2's real block shapes with seeded random weights (bench/fused_variants.py),
against PyTorch's FP32 operators on the same FP16-rounded weights and input: relative L2 below 2e-3 passes.
Maps wider than --max-side (28) are cropped to it: every tile shape still runs, more than one tile per map
and the map's edges included, in minutes instead of hours.
One JSON line per block and setting, then {"passed", "failed"}; exit 1 when any failed. Without Triton it prints
{"skipped": why} and exits 0 (CI's Python has no Triton; the GPU machine's has).
Usage: fused_gather_check.py [--batch 2] [--blocks 0-16] [--settings 0,1,2,3,4,5] [--max-side 28]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TRITON_INTERPRET", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "torch"), os.path.join(HERE, "..", "..", "bench")]
import torch  # noqa: E402

TOLERANCE = 2e-3


def check(index, batch, setting, max_side):
    from fused_gather import launch_gather
    from fused_triton import FusedKernel
    from fused_variants import block_input, random_block, reference, rel_l2
    block, w = random_block(index)
    p = FusedKernel().weights(block, w.__getitem__)
    x = block_input(index, batch, max_side=max_side)
    s = block["stride"]
    ho, wo = (x.shape[2] - 1) // s + 1, (x.shape[3] - 1) // s + 1
    out = torch.full((batch, p["cout"], ho, wo), float("nan"), dtype=torch.float16)
    out = out.contiguous(memory_format=torch.channels_last)
    got = launch_gather(x, out, block, p, setting)
    return rel_l2(got, reference(index, batch, "cpu", max_side))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--blocks", default="0-16")
    ap.add_argument("--settings", default="")
    ap.add_argument("--max-side", type=int, default=28)
    args = ap.parse_args()
    try:
        import triton
    except ImportError as e:
        print(json.dumps({"skipped": "Triton is not installed in this Python (%s)" % e}))
        return
    from fused_gather import GATHER_SETTINGS
    lo, _, hi = args.blocks.partition("-")
    picked = [int(i) for i in args.settings.split(",")] if args.settings else range(len(GATHER_SETTINGS))
    failed = passed = 0
    for index in range(int(lo), int(hi or lo) + 1):
        for i in picked:
            err = check(index, args.batch, GATHER_SETTINGS[i], args.max_side)
            ok = err < TOLERANCE
            passed, failed = passed + ok, failed + (not ok)
            print(json.dumps({"block": index, "batch": args.batch, "setting": i, "relL2": err, "ok": ok,
                              "triton": triton.__version__}), flush=True)
    print(json.dumps({"passed": passed, "failed": failed}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
