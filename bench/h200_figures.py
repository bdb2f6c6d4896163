#!/usr/bin/env python3
"""
The tables of docs/benchmarks/h200/README.md, computed from the files the device calls brought back (no GPU
needed; Debian's torch is enough for the traffic count):
  h200_figures.py DOCS_DIR GRAPH_JSON WEIGHTS_BIN
GRAPH_JSON / WEIGHTS_BIN: the optimized MobileNetV2 in the torch runner's form
(`node dist/bench/torch-graph.js artifacts/latest/model.opt.onnx DIR`). Traffic is counted at FP16 (2 bytes an
element), per image: each step's activation inputs read once and outputs written once, weights left out (at
batch 256 they are under 0.1 % of it).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import torch  # noqa: E402
from fused_blocks import fuse  # noqa: E402
from torch_graph import OnnxModule, load_graph  # noqa: E402


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def traffic(module, shape):
    """Bytes per image that the module's steps read and write, at 2 bytes an element."""
    env = dict(module.cpu_consts)
    weights = set(module.buffer_of)
    for name, buf in module.buffer_of.items():
        env[name] = getattr(module, buf)
    env[module.input_name] = torch.zeros([1] + shape)
    moved = 0
    with torch.no_grad():
        for fn, ins, outs in module.steps:
            values = [env[i] if i else None for i in ins]
            moved += sum(v.numel() for i, v in zip(ins, values)
                         if i and i not in weights and v is not None and v.is_floating_point())
            for name, value in zip(outs, fn(values)):
                env[name] = value
                moved += value.numel()
    return moved * 2


def block_table(docs, copy):
    """Each block at batch 256: PyTorch's operators against the fastest fused setting the tuning measured."""
    blocks = {r["index"]: r for r in lines(os.path.join(docs, "fused-blocks.jsonl")) if r["batch"] == 256}
    choices = [r for r in lines(os.path.join(docs, "fused-net.jsonl"))
               if r["kind"] == "choices" and r["batch"] == 256][0]
    measured = [c for c in choices["choices"] if "ms" in c]
    print("\n## Each block at batch 256: PyTorch's operators vs the fastest fused setting (CUDA graph timing)\n")
    print("| block | input | out ch | stride | MB to move | PyTorch ms | fused ms | fused setting | fused GB/s | "
          "of copy bandwidth |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for i, c in enumerate(measured):
        b = blocks[i]
        torch_ms = [ms for ms, cfg in c["ms"] if cfg == "torch"][0]
        fused = [(ms, cfg) for ms, cfg in c["ms"] if cfg != "torch"]
        ms, cfg = fused[0]
        setting = "%s %s tile, %d ch/step, %d stage(s)" % ("L2 scratch" if cfg["scratch"] else "recompute", cfg["tile"],
                                                          cfg["block_e"], cfg["stages"])
        print("| %d | %s | %d | %d | %.1f | %.3f | %.3f%s | %s | %.0f | %.0f %% |" % (
            i, "x".join(map(str, b["inputShape"][1:])), b["outputShape"][1], b["stride"], b["bytes"] / 1e6,
            torch_ms, ms, "" if ms < torch_ms else " (PyTorch kept)", setting, b["bytes"] / ms / 1e6,
            100 * b["bytes"] / ms / 1e9 / (copy / 1e12)))



def main():
    docs, graph_path, weights_path = sys.argv[1:4]
    graph, tensors = load_graph(graph_path, weights_path)
    shape = [int(d) for d in graph["inputs"][0]["shape"][1:]]
    plain = OnnxModule(graph, tensors).eval()
    fused = OnnxModule(graph, tensors).eval()
    fuse(fused, graph)
    per_image = {"graph as is (each operator's tensors)": traffic(plain, shape),
                 "inverted-residual blocks fused": traffic(fused, shape)}
    copy = json.load(open(os.path.join(docs, "bandwidth.json")))["TBps"] * 1e12
    bench = json.load(open(os.path.join(docs, "product-run", "bench.json")))
    ours = {(m["engine"], m["precision"], m["batch"]): m for m in bench["measurements"]}
    tv = {(r["mode"], r["dtype"], r["batch"], r["channelsLast"], r["tf32"]): r
          for r in lines(os.path.join(docs, "torchvision.jsonl"))}
    net = {(r["batch"], r["variant"]): r for r in lines(os.path.join(docs, "fused-net.jsonl")) if r["kind"] == "net"}
    tv_compile = tv[("compile", "float16", 256, True, False)]["imagesPerS"]

    print("## Traffic per image (FP16) against the measured copy bandwidth (%.2f TB/s)\n" % (copy / 1e12))
    print("| plan | MB per image | images/s if only that traffic, at copy bandwidth |")
    print("| --- | --- | --- |")
    for label, b in per_image.items():
        print("| %s | %.1f | %s |" % (label, b / 1e6, format(round(copy / b), ",")))
    print("\n## Batch 256, FP16, same call\n")
    print("| engine | images/s | vs torchvision + torch.compile | effective traffic (TB/s, fused plan's bytes) |")
    print("| --- | --- | --- | --- |")
    rows = [("torchvision + torch.compile (channels-last)", tv_compile),
            ("ours: torch-compile (engine loaded)", ours[("torch-compile", "fp16", 256)]["throughput"]),
            ("ours: torch-cudagraph", ours[("torch-cudagraph", "fp16", 256)]["throughput"]),
            ("ours: fused blocks, each block's fastest (CUDA graph)", net[(256, "tuned")]["imagesPerS"]),
            ("ours: fused blocks, one setting for all", net[(256, "recompute")]["imagesPerS"]),
            ("ours: same graph unfused (CUDA graph, fused_bench)", net[(256, "unfused")]["imagesPerS"])]
    for label, ips in rows:
        print("| %s | %s | %.3f | %.2f |" % (label, format(round(ips), ","), ips / tv_compile,
                                              ips * per_image["inverted-residual blocks fused"] / 1e12))
    print("\n## Batch 1, FP16, same call (p50 ms)\n")
    print("| engine | p50 ms |")
    print("| --- | --- |")
    tv_graph = tv[("cudagraph", "float16", 1, True, False)]["p50"]
    for label, ms in [("torchvision CUDA graph (FP16, channels-last)", tv_graph),
                      ("ours: torch-cudagraph", ours[("torch-cudagraph", "fp16", 1)]["stats"]["p50"]),
                      ("ours: same graph unfused (CUDA graph, fused_bench)", net[(1, "unfused")]["p50"]),
                      ("ours: fused blocks, each block's fastest (CUDA graph)", net[(1, "tuned")]["p50"])]:
        print("| %s | %.3f |" % (label, ms))
    block_table(docs, copy)


if __name__ == "__main__":
    main()
