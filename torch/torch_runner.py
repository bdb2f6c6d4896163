#!/usr/bin/env python3
"""
Runs *our* ONNX graph with PyTorch operators, so PyTorch is timed on exactly the weights and operators the
other engines run. This file is the process (protocol, request, one reply per run); torch_graph.py reads the
graph written by graph-export.ts and builds the module from the operator table (torch_ops.py,
torch_shape_ops.py); torch_modes.py says whether a run can happen here and gives each mode's call;
torch_timing.py samples the latencies.

Protocol (version 3): one JSON request on stdin, one JSON reply on stdout. Everything else goes to stderr,
where lines starting "@progress " carry a JSON object ({"id", "phase", "n", "total", "elapsedMs"} while
sampling, {"id", "event": "compile-start"|"compile-done", "ms"} around torch.compile, {"id", "event":
"load-start"} before an AOTInductor package loads) shown as they come.
  {"protocol": 3, "probe": true}                       -> {"protocol": 3, "environment": {...}}
  {"protocol": 3, "graph", "weights", "inputs": {"<batch>": "<raw float32 file>"}, "outputDir",
   "warmup", "warmupMaxSeconds", "iterations", "maxSeconds", "minSamples": timed runs stop at `iterations`
   or after `maxSeconds` with at least `minSamples`, warm-up likewise at `warmup` or `warmupMaxSeconds`;
   "device": "auto"|"cpu"|"cuda", "threads", "tf32", "cudnnBenchmark",
   "runs": [{"id", "mode": "eager"|"compile"|"cudagraph"|"fused", "precision": "fp32"|"fp16", "batch",
             "channelsLast"}],
   optional "compileCache": {"fp32"|"fp16": engine file of engine:torch-compile:*} (compile_cache.py),
   optional "fusedPlan": {"fp16": plan file of engine:torch-fused:fp16} (fused_engine.py),
   optional "inductorCacheDir": a fresh directory for inductor's caches}
  -> {"protocol": 3, "environment": {...}, "results": [{"id", "ok": true, "samplesMs", ...} |
                                                        {"id", "ok": false, "cause", "message"}]}
A run that cannot happen here (no CUDA, torch too old for torch.compile, an operator this runner does not
cover) is answered with ok: false, the cause (measure/result.ts's SkipKind) and the message in plain
words; the runner itself fails (exit 1, message on stderr) only for a broken request.
"""
import copy
import json
import os
import platform
import sys
import threading
import time

PROTOCOL = 3


def watch_parent():
    # The pipeline may die without a chance to stop us (kill -9). On Linux the kernel then kills us at once
    # (PR_SET_PDEATHSIG); elsewhere a thread sees us re-parented, once the GIL lets it (not during `import torch`).
    # A parent that died before the death signal was set sent none: the pid the pipeline gave us says so.
    given = os.environ.get("ENGINEFOUNDRY_PARENT_PID", "")
    parent = int(given) if given.isdigit() else os.getppid()
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


watch_parent()


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


try:
    import torch
except Exception as e:  # the caller turns this into a skipped engine
    fail("torch not importable from %s: %s" % (sys.executable, e))
import aoti_package  # noqa: E402
import compile_cache  # noqa: E402
import fused_engine  # noqa: E402
from torch_graph import DTYPES, GraphError, OnnxModule, load_graph  # noqa: E402
from torch_modes import CompileFailed, runnable, skip_cause, torch_major  # noqa: E402
from torch_timing import sampled  # noqa: E402


def environment():
    env = {
        "python": platform.python_version(),
        "pythonExecutable": sys.executable,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cudaAvailable": torch.cuda.is_available(),
    }
    if torch.version.cuda:
        env["cuda"] = torch.version.cuda
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        env["gpu"] = p.name
        env["computeCapability"] = "%d.%d" % (p.major, p.minor)
        env["cudnn"] = str(torch.backends.cudnn.version())
    return env


def skipped(run, cause, message):
    return {"id": run["id"], "ok": False, "cause": cause, "message": message}


def placed(base, run, device, inputs):
    """A copy of the module and the run's inputs in its precision and layout on the device, and the settings
    that names. A copy per run: Module.to converts in place, and the master weights must stay float32."""
    cuda = device.type == "cuda"
    dtype = torch.float16 if run["precision"] == "fp16" else torch.float32
    channels_last = bool(run.get("channelsLast")) and cuda
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    module = copy.deepcopy(base).to(device=device, dtype=dtype)
    if channels_last:
        module = module.to(memory_format=fmt)
    # Float inputs take the run's precision and layout; integer and boolean ones go as they are.
    x = [t.to(device=device, dtype=dtype).contiguous(memory_format=fmt if t.dim() == 4 else torch.contiguous_format)
         if t.is_floating_point() else t.to(device=device) for t in inputs[run["batch"]]]
    settings = {"mode": run["mode"], "channelsLast": channels_last, "dtype": str(dtype).replace("torch.", "")}
    return module, x, settings


def measured(fn, run, request, cuda):
    """Warm-up, then the timed samples: the reply's samplesMs, warmup, timing and sampling."""
    warmup = request["warmup"]
    warm = {"runs": warmup, "maxSeconds": request["warmupMaxSeconds"], "minSamples": min(warmup, 1)}
    warm_samples, _, warm_seconds = sampled(fn, warm, cuda, run["id"], "warm-up") if warmup else ([], "runs", 0.0)
    if cuda:
        torch.cuda.synchronize()
    budget = {k: request[k] for k in ("maxSeconds", "minSamples")}
    budget["runs"] = request["iterations"]
    # The machine's load while timing (load.ts on the Node side): the 1-minute load average before and after,
    # and this process's CPU time (all its threads) against the wall time.
    load_before, cpu0, wall0 = os.getloadavg()[0], time.process_time(), time.perf_counter()
    samples, stopped_by, seconds = sampled(fn, budget, cuda, run["id"], "timed")
    load = {"loadavg1": [load_before, os.getloadavg()[0]], "cpuMs": (time.process_time() - cpu0) * 1000.0,
            "wallMs": (time.perf_counter() - wall0) * 1000.0}
    timing = ("CUDA events recorded on the stream around each call (input already on the GPU; no host copies)"
              if cuda else "perf_counter around each call")
    return {"samplesMs": samples, "warmup": len(warm_samples), "timing": timing, "load": load,
            "sampling": {"n": len(samples), "stoppedBy": stopped_by, "seconds": seconds,
                         "warmup": len(warm_samples), "warmupSeconds": warm_seconds}}


def written(out, request, run):
    """The run's output as raw float32 in the request's output directory: its path and dims."""
    out = out.float().cpu().contiguous()
    path = os.path.join(request["outputDir"], "%s.f32" % run["id"])
    with open(path, "wb") as f:
        f.write(out.numpy().tobytes())
    return {"output": path, "outputDims": list(out.shape)}


def run_one(base, graph, run, request, device, inputs):
    cuda = device.type == "cuda"
    why = skip_cause(run, cuda, request)
    if why:
        return skipped(run, *why)
    module, x, settings = placed(base, run, device, inputs)
    if torch_major() >= 2:
        torch._dynamo.reset()
    with torch.no_grad():
        try:
            fn, added = runnable(module, graph, x, run, request, cuda)
        except CompileFailed as e:
            return skipped(run, "engine-failed", "torch.compile failed: %s" % e)
        except fused_engine.Unanswerable as e:
            return skipped(run, *e.args)
        except aoti_package.LoadFailed as e:
            return skipped(run, "engine-failed", str(e))
        result = dict({"id": run["id"], "ok": True}, **measured(fn, run, request, cuda))
        out = fn()
        if cuda:
            torch.cuda.synchronize()
    settings["threads"] = torch.get_num_threads()
    if cuda:
        settings["tf32"] = bool(torch.backends.cudnn.allow_tf32)
        settings["cudnnBenchmark"] = bool(torch.backends.cudnn.benchmark)
    settings.update(added.get("settings", {}))
    result["device"] = torch.cuda.get_device_name(0) if cuda else "cpu"
    result.update(settings=settings, **written(out, request, run))
    if "compileMs" in added:
        result["compileMs"] = added["compileMs"]
    return result


def configure(request):
    """Threads, device and backend switches as the request asks; returns the device."""
    if request.get("threads"):
        torch.set_num_threads(int(request["threads"]))
    want = request.get("device", "auto")
    if want == "cuda" and not torch.cuda.is_available():
        fail("device cuda requested but CUDA is not available to torch %s" % torch.__version__)
    device = torch.device("cuda" if want != "cpu" and torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        tf32 = bool(request.get("tf32", False))
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.benchmark = bool(request.get("cudnnBenchmark", True))
    if request.get("inductorCacheDir"):
        compile_cache.isolate(request["inductorCacheDir"])
    return device


def read_inputs(request, input_names):
    """{batch: [tensor per model input]} from the request's raw input files."""
    inputs = {}
    for batch, files in request["inputs"].items():
        by_name = {}
        for f in files:
            with open(f["file"], "rb") as fh:
                raw = bytearray(fh.read())
            dtype = DTYPES.get(f["dtype"])
            if dtype is None:
                fail("input %s has element type %s, which the torch runner does not handle" % (f["name"], f["dtype"]))
            empty = torch.zeros(f["dims"], dtype=dtype)
            by_name[f["name"]] = torch.frombuffer(raw, dtype=dtype).reshape(f["dims"]) if raw else empty
        missing = [n for n in input_names if n not in by_name]
        if missing:
            fail("no values given for input(s) %s" % ", ".join(missing))
        inputs[int(batch)] = [by_name[n] for n in input_names]
    return inputs


def main():
    try:
        request = json.load(sys.stdin)
    except ValueError as e:
        fail("the request on stdin is not JSON: %s" % e)
    if request.get("protocol") != PROTOCOL:
        fail("protocol %s requested; this runner speaks %d" % (request.get("protocol"), PROTOCOL))
    if request.get("probe"):
        print(json.dumps({"protocol": PROTOCOL, "environment": environment()}))
        return
    device = configure(request)
    try:
        graph, tensors = load_graph(request["graph"], request["weights"])
    except GraphError as e:
        fail(str(e))
    try:
        base = OnnxModule(graph, tensors).eval()
    except ValueError as e:
        # Operators (or attributes) this runner does not cover: an answer for every run, not a broken request.
        results = [skipped(run, "unsupported-operator", str(e)) for run in request["runs"]]
        print(json.dumps({"protocol": PROTOCOL, "environment": environment(), "results": results}))
        return
    inputs = read_inputs(request, base.input_names)
    out_of_memory = torch.cuda.OutOfMemoryError if hasattr(torch.cuda, "OutOfMemoryError") else MemoryError
    results = []
    for run in request["runs"]:
        try:
            results.append(run_one(base, graph, run, request, device, inputs))
        except out_of_memory as e:
            results.append(skipped(run, "out-of-memory", "out of GPU memory: %s" % str(e).splitlines()[0]))
        finally:
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print(json.dumps({"protocol": PROTOCOL, "environment": environment(), "results": results}))


if __name__ == "__main__":
    main()
