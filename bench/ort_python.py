#!/usr/bin/env python3
"""
The harness-overhead yardstick: Python onnxruntime timing the same ONNX file on the same input with the
same session settings as the benchmark's onnxruntime-node run, perf_counter around each session.run.
Request JSON on stdin: {"model", "input", "dims", "level", "intraOpThreads", "interOpThreads", "warmup", "runs"}.
Reply JSON on stdout: {"onnxruntime": version, "samplesMs": [...]}.
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort

LEVELS = {"disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
          "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}

r = json.load(sys.stdin)
opts = ort.SessionOptions()
opts.graph_optimization_level = LEVELS[r["level"]]
opts.intra_op_num_threads = r["intraOpThreads"]
opts.inter_op_num_threads = r["interOpThreads"]
session = ort.InferenceSession(r["model"], opts, providers=["CPUExecutionProvider"])
x = np.fromfile(r["input"], dtype=np.float32).reshape(r["dims"])
feeds = {session.get_inputs()[0].name: x}
for _ in range(r["warmup"]):
    session.run(None, feeds)
samples = []
for _ in range(r["runs"]):
    t0 = time.perf_counter()
    session.run(None, feeds)
    samples.append((time.perf_counter() - t0) * 1000.0)
print(json.dumps({"onnxruntime": ort.__version__, "samplesMs": samples}))
