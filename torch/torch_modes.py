"""
The run modes of torch_runner.py: whether a run can happen here (skip_cause) and the call each mode times
(runnable) -- eager, torch.compile, a CUDA graph, the AOTInductor package or the fused Triton blocks.
Imported by the runner once torch is known to import.
"""
import time

import torch

import aoti_package
import compile_cache
import fused_engine
from torch_timing import cuda_graph, report


def torch_major():
    return int(torch.__version__.split(".")[0])


def skip_cause(run, cuda, request):
    """(cause, message) when the run cannot happen here, else None."""
    mode, precision = run["mode"], run["precision"]
    if mode == "fused" and precision != "fp16":
        return "unsupported-model", "torch-fused runs FP16 only: its Triton kernels take float16 tensors"
    if mode == "fused" and not cuda:
        return "no-gpu", "CUDA not available: torch-fused runs Triton kernels on an NVIDIA GPU"
    if mode == "aoti" and (precision != "fp16" or cuda):
        return aoti_package.skip_reason(torch, request, run)
    if mode == "cudagraph" and not cuda:
        return "no-gpu", "CUDA not available: skipping torch-cudagraph"
    if precision == "fp16" and not cuda:
        return "no-gpu", "CUDA not available: skipping torch FP16 (torch's CPU float16 kernels are incomplete)"
    if mode == "compile" and torch_major() < 2:
        return "tool-unavailable", "torch.compile needs torch >= 2 (found %s)" % torch.__version__
    if mode not in ("eager", "compile", "cudagraph", "aoti", "fused"):
        return "engine-failed", "unknown torch mode %s" % mode
    return None


class CompileFailed(Exception):
    """torch.compile's first call raised: the run is answered as engine-failed."""


def compiled(module, x, run, request, cuda):
    """torch.compile of the module, compiled by a first call: (the call, the settings and figures it adds)."""
    cache = compile_cache.for_run(torch, request, run)
    call = torch.compile(module, **({"mode": request["compileMode"]} if request.get("compileMode") else {}))
    report(run["id"], event="compile-start")
    t0 = time.perf_counter()
    try:
        call(*x)
    except Exception as e:
        raise CompileFailed(str(e).splitlines()[0]) from e
    if cuda:
        torch.cuda.synchronize()
    compile_ms = (time.perf_counter() - t0) * 1000.0
    report(run["id"], event="compile-done", ms=compile_ms)
    settings = dict({"compileMode": request.get("compileMode") or "default"}, **cache)
    return (lambda: call(*x)), {"settings": settings, "compileMs": compile_ms}


def runnable(module, graph, x, run, request, cuda):
    """The call to time in the run's mode, and what the mode adds to the reply."""
    if run["mode"] == "fused":
        return fused_engine.runnable(module, graph, x, run, request, cuda_graph)
    if run["mode"] == "aoti":
        return aoti_package.runnable(torch, x, run, request)
    if run["mode"] == "compile":
        return compiled(module, x, run, request, cuda)
    if run["mode"] == "cudagraph":
        return cuda_graph(module, *x), {}
    return (lambda: module(*x)), {}
