#!/usr/bin/env python3
"""Device-to-device copy bandwidth through PyTorch (bytes read + written per second), the ceiling that
activation traffic is measured against. JSON line on stdout. Usage: copy_bandwidth.py [GIB]"""
import json
import sys

import torch

gib = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
n = int(gib * (1 << 30)) // 2
a = torch.empty(n, dtype=torch.float16, device="cuda").normal_()
b = torch.empty_like(a)
for _ in range(3):
    b.copy_(a)
start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
times = []
for _ in range(10):
    start.record()
    b.copy_(a)
    end.record()
    torch.cuda.synchronize()
    times.append(start.elapsed_time(end))
ms = sorted(times)[len(times) // 2]
print(json.dumps({"bytesPerCopy": 2 * a.numel() * 2, "p50Ms": ms, "TBps": 2 * a.numel() * 2 / ms / 1e9}))
