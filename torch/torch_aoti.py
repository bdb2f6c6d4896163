#!/usr/bin/env python3
"""
Builds the AOTInductor engine: torch.export of our graph (the torch runner's module, the same precision and
device) on the benchmark's inputs at one batch, its batch dimension left dynamic where the model has one,
compiled ahead of time by torch._inductor.aoti_compile_and_package into one .pt2 package. The package runs with
torch._inductor.aoti_load_package alone: no tracing, no compile at start-up (docs/compiled-engines.md).

One JSON request on stdin, one JSON reply on stdout:
  {"graph", "weights", "inputs": {"<batch>": [input files, as torch_runner.py reads them]}, "batch",
   "batchAxes": {"<input>": axis of the batch dimension}, "precision", "device", "maxBatch", "out"}
  -> {"ok": true, "header": {...}, "exportSeconds", "compileSeconds", "bytes"}
   | {"ok": false, "message"}: the build failed
   | {"ok": false, "cause": "unsupported-model", "message"}: torch.export or AOTInductor refused the model
A broken request exits 1 with the message on stderr. The probe is torch_engine.py's: both engines need the
same torch, and the no-op run asks once.
"""
import importlib
import json
import os
import sys
import time

# What torch.export and AOTInductor raise when the model does something they cannot capture: a shape read from
# tensor data, a guard on such a shape, a dynamic dimension the graph fixes, an operator export cannot trace.
REFUSALS = {
    "torch._dynamo.exc": ("Unsupported",),
    "torch.fx.experimental.symbolic_shapes": ("GuardOnDataDependentSymNode", "ConstraintViolationError"),
    "torch._subclasses.fake_tensor": ("DynamicOutputShapeException", "DataDependentOutputException",
                                      "UnsupportedOperatorException"),
}
# torch.export's user errors that are the model's, not a malformed call of ours (INVALID_INPUT and the like).
MODEL_USER_ERRORS = ("DYNAMIC_CONTROL_FLOW", "CONSTRAINT_VIOLATION", "DYNAMIC_DIM")


def refused_by_torch(e):
    """Whether e, or what it wraps (`raise ... from`, a compiler's inner exception), says the model cannot be
    exported or compiled ahead of time, rather than that our code or the machine failed."""
    kinds = []
    for module, names in REFUSALS.items():
        loaded = importlib.import_module(module)
        kinds += [getattr(loaded, n) for n in names if hasattr(loaded, n)]
    user_error = getattr(importlib.import_module("torch._dynamo.exc"), "UserError", None)
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, tuple(kinds)):
            return True
        if user_error and isinstance(e, user_error) and getattr(e.error_type, "name", "") in MODEL_USER_ERRORS:
            return True
        e = getattr(e, "inner_exception", None) or e.__cause__
    return False


def failed(what, e):
    """The reply for a failed export or compile: declined when torch refused the model, else a failure."""
    reply = {"ok": False, "message": "%s failed: %s" % (what, (str(e).strip().splitlines() or [repr(e)])[0])}
    if refused_by_torch(e):
        reply["cause"] = "unsupported-model"
    return reply


# A package compiles one wrapper and one kernel file, each once: precompiling their headers first (inductor's
# default) costs two header builds (12 s on a 2-core CPU machine) to save a few seconds on one compile each, and
# writes them outside the build's directory, into the machine's /tmp/torchinductor_<user>. Without them, a
# MobileNetV2 package compiles 6 s sooner on a machine that has none (docs/compiled-engines.md).
INDUCTOR = {"aot_inductor.precompile_headers": False}


def exported(torch, module, x, request):
    """The exported program, the batch dimension of every input that has one dynamic (1..maxBatch), called as
    the module is, with the model's inputs in order: model(x) for a model of one input."""
    axes = request.get("batchAxes") or {}
    spec = None
    if axes:
        bound = max(int(request.get("maxBatch", 1024)), int(request["batch"]))
        batch = torch.export.Dim("batch", min=1, max=bound)
        spec = (tuple({axes[n]: batch} if n in axes else None for n in module.input_names),)
    return torch.export.export(module, tuple(x), dynamic_shapes=spec)


def build(request):
    from torch_graph import build_module
    from torch_runner import environment, placed, read_inputs, torch
    if not hasattr(getattr(torch, "_inductor", None), "aoti_compile_and_package"):
        return {"ok": False, "message": "torch %s has no torch._inductor.aoti_compile_and_package" % torch.__version__}
    cuda = torch.cuda.is_available() and request.get("device", "auto") != "cpu"
    if request["precision"] == "fp16" and not cuda:
        return {"ok": False, "message": "an FP16 engine needs CUDA, which torch %s does not see" % torch.__version__}
    device = torch.device("cuda" if cuda else "cpu")
    base = build_module(request)
    if isinstance(base, dict):
        return base
    # The runner's own placement: float inputs in the precision, contiguous, on the device.
    run = {"mode": "aoti", "precision": request["precision"], "channelsLast": False, "batch": int(request["batch"])}
    module, x, _ = placed(base, run, device, read_inputs(request, base.input_names))
    t0 = time.perf_counter()
    try:
        with torch.no_grad():
            program = exported(torch, module, x, request)
    except Exception as e:
        return failed("torch.export", e)
    t1 = time.perf_counter()
    try:
        torch._inductor.aoti_compile_and_package(program, package_path=request["out"], inductor_configs=INDUCTOR)
    except Exception as e:
        return failed("aoti_compile_and_package", e)
    t2 = time.perf_counter()
    env = environment()
    dynamic = bool(request.get("batchAxes"))
    header = {"format": "AOTInductor package (torch._inductor.aoti_load_package)", "torch": torch.__version__,
              "cuda": env.get("cuda", "none"), "gpu": env.get("gpu", "none"), "device": device.type,
              "precision": request["precision"], "input": module.input_name, "dynamicBatch": dynamic,
              "maxBatch": int(request.get("maxBatch", 1024)) if dynamic else None,
              "exportSeconds": t1 - t0, "compileSeconds": t2 - t1}
    return {"ok": True, "header": header, "exportSeconds": t1 - t0, "compileSeconds": t2 - t1,
            "bytes": os.path.getsize(request["out"])}


def main():
    try:
        request = json.load(sys.stdin)
    except ValueError as e:
        sys.stderr.write("the request on stdin is not JSON: %s\n" % e)
        sys.exit(1)
    print(json.dumps(build(request)))


if __name__ == "__main__":
    main()
