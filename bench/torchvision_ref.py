#!/usr/bin/env python3
"""
torchvision's own MobileNetV2 timed with the torch runner's clock (CUDA events around each call, same
warm-up), to tell how far our runner on our graph is from PyTorch on PyTorch's module. Reply: JSON lines.
Usage: torchvision_ref.py WARMUP ITERATIONS
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import torch  # noqa: E402
import torchvision  # noqa: E402
from torch_timing import cuda_graph, timed  # noqa: E402

warmup, iterations = int(sys.argv[1]), int(sys.argv[2])
torch.backends.cudnn.benchmark = True
base = torchvision.models.mobilenet_v2().eval()


def measure(mode, dtype, batch, channels_last, tf32):
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    m = torchvision.models.mobilenet_v2().eval()
    m.load_state_dict(base.state_dict())
    m = m.to("cuda", dtype).to(memory_format=fmt)
    x = torch.randn(batch, 3, 224, 224, device="cuda", dtype=dtype).contiguous(memory_format=fmt)
    torch._dynamo.reset()
    with torch.no_grad():
        if mode == "compile":
            c = torch.compile(m)
            fn = lambda: c(x)
        elif mode == "cudagraph":
            fn = cuda_graph(m, x)
        else:
            fn = lambda: m(x)
        for _ in range(warmup):
            fn()
        torch.cuda.synchronize()
        samples = sorted(timed(fn, iterations, True))
    p50 = samples[len(samples) // 2]
    print(json.dumps({"model": "torchvision", "mode": mode, "dtype": str(dtype).replace("torch.", ""), "batch": batch,
                      "channelsLast": channels_last, "tf32": tf32, "p50": p50,
                      "imagesPerS": batch * 1000.0 / (sum(samples) / len(samples))}), flush=True)


for cl in (True, False):
    for tf32 in (False, True):
        measure("cudagraph", torch.float32, 1, cl, tf32)
measure("cudagraph", torch.float16, 1, True, False)
measure("eager", torch.float16, 256, True, False)
measure("eager", torch.float16, 256, False, False)
measure("compile", torch.float16, 256, True, False)
