#!/usr/bin/env python3
"""
Correctness of the fused inverted-residual kernel (bench/fused_triton.py) on the GPU, without timing:
every block of our graph alone, FP16 channels-last, through the kernel settings named by --configs (indices
into CANDIDATES; the default covers the recompute and the scratch path), against PyTorch's operators on the same
FP16 input and weights, and both against the FP32 block. One JSON line per batch, block and setting:
  {"batch", "block", "config", "maxAbsVsTorch": kernel vs PyTorch FP16, "maxAbs": kernel vs FP32,
   "torchMaxAbs": PyTorch FP16 vs FP32, "ok"}   (or "declined": the kernel's reason)
then {"kind": "summary", "checked", "failed", "declined"}. A setting passes when its error against FP32 is at
most TOLERANCE x PyTorch FP16's own (never less than FLOOR). With --against FILE (another version of
fused_triton.py) that file's kernel runs the same settings too and must give bit-identical outputs: the check
for a change to the kernel that keeps its arithmetic. Exit 1 when any check fails or no block ran the kernel.
Usage: fused_check.py GRAPH_JSON WEIGHTS_BIN [--batches 1,256] [--configs 0,4] [--against FILE]
"""
import argparse
import copy
import importlib.util
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import torch  # noqa: E402
from fused_bench import block_inputs  # noqa: E402
from fused_blocks import match_blocks, unfused  # noqa: E402
from fused_triton import CANDIDATES, FusedKernel  # noqa: E402
from torch_graph import OnnxModule, load_graph  # noqa: E402

CL = torch.channels_last
TOLERANCE = 2.0
FLOOR = 2e-3


def kernel_module(path):
    spec = importlib.util.spec_from_file_location("fused_triton_against", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def max_abs(a, b):
    return float((a.float() - b.float()).abs().max())


def check_batch(graph, tensors, batch, configs, against):
    """One row per block and setting at this batch size."""
    m32 = OnnxModule(graph, tensors).eval().cuda().to(memory_format=CL)
    m16 = copy.deepcopy(m32).half().to(memory_format=CL)
    probe = OnnxModule(graph, tensors)
    blocks = match_blocks(graph, probe.cpu_consts | {n: getattr(probe, b) for n, b in probe.buffer_of.items()})
    w16 = lambda name: getattr(m16, m16.buffer_of[name])  # noqa: E731
    w32 = lambda name: getattr(m32, m32.buffer_of[name])  # noqa: E731
    kernels = {i: FusedKernel(CANDIDATES[i]) for i in configs}
    others = {i: against.FusedKernel(against.CANDIDATES[i]) for i in configs} if against else {}
    x = torch.randn([batch] + [int(d) for d in graph["inputs"][0]["shape"][1:]], device="cuda")
    rows = []
    with torch.no_grad():
        acts = block_inputs(m32, x.contiguous(memory_format=CL))
        for index, b in enumerate(blocks):
            x32 = acts[b["input"]]
            x16 = x32.half().contiguous(memory_format=CL)
            ref = unfused(x32, b, w32)
            torch16 = unfused(x16, b, w16)
            for i in configs:
                row = {"batch": batch, "block": index, "config": CANDIDATES[i]}
                y = kernels[i](x16, b, w16)
                if y is None:
                    rows.append(dict(row, declined=kernels[i].declined[b["output"]]))
                    continue
                row.update(maxAbsVsTorch=max_abs(y, torch16), maxAbs=max_abs(y, ref),
                           torchMaxAbs=max_abs(torch16, ref))
                row["ok"] = row["maxAbs"] <= max(TOLERANCE * row["torchMaxAbs"], FLOOR)
                if against:
                    other = others[i](x16, b, w16)
                    row["identical"] = other is not None and bool(torch.equal(y, other))
                    row["ok"] = row["ok"] and row["identical"]
                rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("weights")
    ap.add_argument("--batches", default="1,256")
    ap.add_argument("--configs", default="0,4")
    ap.add_argument("--against")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("fused_check.py: the Triton kernel needs CUDA, which torch %s does not see" % torch.__version__)
    torch.manual_seed(0)
    graph, tensors = load_graph(args.graph, args.weights)
    configs = [int(i) for i in args.configs.split(",")]
    against = kernel_module(args.against) if args.against else None
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        for row in check_batch(graph, tensors, batch, configs, against):
            print(json.dumps(row), flush=True)
            rows.append(row)
    checked = [r for r in rows if "ok" in r]
    failed = [r for r in checked if not r["ok"]]
    print(json.dumps({"kind": "summary", "checked": len(checked), "failed": len(failed),
                      "declined": len(rows) - len(checked)}))
    if failed or not checked:
        sys.exit(1)


if __name__ == "__main__":
    main()
