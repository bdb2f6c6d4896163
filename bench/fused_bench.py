#!/usr/bin/env python3
"""
The fused inverted-residual kernel (bench/fused_triton.py) on our graph, FP16 channels-last, against
PyTorch's operators on the same weights and inputs. Prints JSON lines:
  {"kind": "block", ...}  each matched block alone: unfused (cuDNN + pointwise) vs fused (scratch, recompute)
                          p50 ms, the bytes the fused block must move (input + output + weights) and the
                          bandwidth that makes, and its max abs error against the FP32 block
  {"kind": "net", ...}    the whole graph under a CUDA graph replay: unfused vs fused, p50 ms, images/s,
                          and relative L2 / top-1 of the logits against the FP32 module
Usage: fused_bench.py GRAPH_JSON WEIGHTS_BIN [--batches 1,256] [--warmup 20] [--iterations 100]
       [--blocks-only | --net-only] [--compile-modes default,reduce-overhead]
"""
import argparse
import copy
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import torch  # noqa: E402
from fused_blocks import fuse, match_blocks, unfused  # noqa: E402
from fused_triton import CANDIDATES, FusedKernel  # noqa: E402
from torch_graph import OnnxModule, load_graph  # noqa: E402
from torch_timing import cuda_graph, timed  # noqa: E402

CL = torch.channels_last


def p50(samples):
    s = sorted(samples)
    return s[len(s) // 2]


def emit(**fields):
    print(json.dumps(fields), flush=True)


def measure(fn, warmup, iterations):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    return p50(timed(fn, iterations, True))


def block_inputs(module, x):
    """Every block's input tensor on x, from one pass of the unfused module."""
    seen = {}
    env = dict(module.cpu_consts)
    for name, buf in module.buffer_of.items():
        env[name] = getattr(module, buf)
    env[module.input_name] = x
    for fn, ins, outs in module.steps:
        for name, value in zip(outs, fn([env[i] if i else None for i in ins])):
            env[name] = value
    for name, value in env.items():
        seen[name] = value
    return seen


def per_block(graph, tensors, batch, args, kernels):
    m32 = OnnxModule(graph, tensors).eval().cuda().to(memory_format=CL)
    m16 = copy.deepcopy(m32).half().to(memory_format=CL)
    probe = OnnxModule(graph, tensors)
    blocks = match_blocks(graph, probe.cpu_consts | {n: getattr(probe, b) for n, b in probe.buffer_of.items()})
    x = torch.randn([batch] + [int(d) for d in graph["inputs"][0]["shape"][1:]], device="cuda")
    with torch.no_grad():
        acts32 = block_inputs(m32, x.contiguous(memory_format=CL))
    w16 = lambda name: getattr(m16, m16.buffer_of[name])
    w32 = lambda name: getattr(m32, m32.buffer_of[name])
    for i, b in enumerate(blocks):
        xin32 = acts32[b["input"]]
        xin = xin32.half().contiguous(memory_format=CL)
        with torch.no_grad():
            ref = unfused(xin32, b, w32)
            row = {"kind": "block", "batch": batch, "index": i, "stride": b["stride"], "residual": b["residual"],
                   "inputShape": list(xin.shape), "outputShape": list(ref.shape)}
            pairs = [pair for pair in (b["expand"], b["depthwise"], b["project"]) if pair]
            weights = sum(w16(n).numel() * 2 for pair in pairs for n in pair)
            row["bytes"] = xin.numel() * 2 + ref.numel() * 2 + weights
            row["unfusedMs"] = measure(lambda: unfused(xin, b, w16), args.warmup, args.iterations)
            for label, k in kernels.items():
                try:
                    y = k(xin, b, w16)
                    if y is None:
                        row[label] = k.declined.get(b["output"], "declined")
                        continue
                    torch.cuda.synchronize()
                    row[label + "MaxAbs"] = float((y.float() - ref).abs().max())
                    row[label + "RefMaxAbs"] = float((unfused(xin, b, w16).float() - ref).abs().max())
                    row[label + "Ms"] = measure(lambda: k(xin, b, w16), args.warmup, args.iterations)
                    row[label + "GBs"] = row["bytes"] / row[label + "Ms"] / 1e6
                except Exception as e:  # one block's failure must not hide the others' figures
                    row[label] = "failed: %s" % str(e).splitlines()[0][:300]
        emit(**row)


def whole_net(graph, tensors, batch, args, kernels):
    base = OnnxModule(graph, tensors).eval()
    x32 = torch.randn([batch] + [int(d) for d in graph["inputs"][0]["shape"][1:]], device="cuda")
    m32 = copy.deepcopy(base).cuda().to(memory_format=CL)
    with torch.no_grad():
        ref = m32(x32.contiguous(memory_format=CL)).float()
    x = x32.half().contiguous(memory_format=CL)
    variants = {"unfused": None, **kernels}
    for label, k in variants.items():
        m = copy.deepcopy(base).cuda().half().to(memory_format=CL)
        row = {"kind": "net", "batch": batch, "variant": label}
        try:
            if k is not None:
                row["fusedBlocks"] = len(fuse(m, graph, k))
            with torch.no_grad():
                fn = cuda_graph(m, x)
                row["p50"] = measure(fn, args.warmup, args.iterations)
                out = fn().float()
            torch.cuda.synchronize()
            row["imagesPerS"] = batch * 1000.0 / row["p50"]
            row["relL2"] = float((out - ref).norm() / ref.norm())
            row["top1"] = float((out.argmax(1) == ref.argmax(1)).float().mean())
            if k is not None:
                row["declined"] = sorted(set(k.declined.values()))
        except Exception as e:
            row["error"] = str(e).splitlines()[0][:400]
        emit(**row)


def compiled_net(graph, tensors, batch, args, mode):
    """Our graph under torch.compile (the yardstick the fused net has to beat), same input, same clock."""
    m = OnnxModule(graph, tensors).eval().cuda().half().to(memory_format=CL)
    x = torch.randn([batch] + [int(d) for d in graph["inputs"][0]["shape"][1:]], device="cuda")
    x = x.half().contiguous(memory_format=CL)
    torch._dynamo.reset()
    row = {"kind": "net", "batch": batch, "variant": "compile-" + (mode or "default")}
    try:
        with torch.no_grad():
            c = torch.compile(m, **({"mode": mode} if mode else {}))
            t0 = time.perf_counter()
            c(x)
            torch.cuda.synchronize()
            row["compileS"] = time.perf_counter() - t0
            row["p50"] = measure(lambda: c(x), args.warmup, args.iterations)
            row["imagesPerS"] = batch * 1000.0 / row["p50"]
    except Exception as e:
        row["error"] = str(e).splitlines()[0][:400]
    emit(**row)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("graph")
    ap.add_argument("weights")
    ap.add_argument("--batches", default="1,256")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--blocks-only", action="store_true")
    ap.add_argument("--net-only", action="store_true")
    ap.add_argument("--compile-modes", default="")
    args = ap.parse_args()
    torch.backends.cudnn.benchmark = True
    graph, tensors = load_graph(args.graph, args.weights)
    kernels = lambda: {"scratch": FusedKernel(CANDIDATES[4]), "recompute": FusedKernel(CANDIDATES[0])}
    batches = [int(b) for b in args.batches.split(",")]
    for batch in batches if not args.net_only else []:
        per_block(graph, tensors, batch, args, kernels())
    if args.blocks_only:
        return
    for batch in batches:
        tuned = FusedKernel(tune=True)
        whole_net(graph, tensors, batch, args, {"recompute": FusedKernel(CANDIDATES[0]), "tuned": tuned})
        emit(kind="choices", batch=batch, choices=tuned.choices)
        for mode in [m for m in args.compile_modes.split(",") if m]:
            compiled_net(graph, tensors, batch, args, "" if mode == "default" else mode)


if __name__ == "__main__":
    main()
