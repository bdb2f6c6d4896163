#!/usr/bin/env python3
"""
Runs *our* ONNX graph with PyTorch operators, so PyTorch is timed on exactly the weights and operators the
other engines run. The graph arrives as JSON (nodes with op, inputs, outputs, attributes) plus one raw
little-endian weights file, both written by graph-export.ts; this file needs only the standard library
and torch (no `onnx` package: the GPU machine may not have one).

Protocol (version 3): one JSON request on stdin, one JSON reply on stdout. Everything else goes to stderr,
where lines starting "@progress " carry a JSON object ({"id", "phase", "n", "total", "elapsedMs"} while
sampling, {"id", "event": "compile-start"|"compile-done", "ms"} around torch.compile) shown as they come.
  {"protocol": 3, "probe": true}                       -> {"protocol": 3, "environment": {...}}
  {"protocol": 3, "graph", "weights", "inputs": {"<batch>": "<raw float32 file>"}, "outputDir",
   "warmup", "warmupMaxSeconds", "iterations", "maxSeconds", "minSamples": timed runs stop at `iterations`
   or after `maxSeconds` with at least `minSamples`, warm-up likewise at `warmup` or `warmupMaxSeconds`;
   "device": "auto"|"cpu"|"cuda", "threads", "tf32", "cudnnBenchmark",
   "runs": [{"id", "mode": "eager"|"compile"|"cudagraph", "precision": "fp32"|"fp16", "batch",
             "channelsLast"}],
   optional "compileCache": {"fp32"|"fp16": engine file of engine:torch-compile:*} (compile_cache.py),
   optional "inductorCacheDir": a fresh directory for inductor's caches}
  -> {"protocol": 3, "environment": {...}, "results": [{"id", "ok": true, "samplesMs", ...} |
                                                        {"id", "ok": false, "kind", "reason"}]}
A run that cannot happen here (no CUDA, torch too old for torch.compile, an operator this runner does not
cover) is answered with ok: false, the kind (stages/benchmark/result.ts's SkipKind) and the reason in plain
words; the runner itself fails (exit 1, message on stderr) only for a broken request.
"""
import copy
import functools
import json
import math
import os
import platform
import sys
import threading
import time

PROTOCOL = 3
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def watch_parent():
    # The pipeline may die without a chance to stop us (kill -9). On Linux the kernel then kills us at once
    # (PR_SET_PDEATHSIG); elsewhere a thread sees us re-parented, once the GIL lets it (not during `import torch`).
    parent = os.getppid()
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)
    except (OSError, AttributeError):
        pass

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
    import torch.nn.functional as F
except Exception as e:  # the caller turns this into a skipped engine
    fail("torch not importable from %s: %s" % (sys.executable, e))
import compile_cache  # noqa: E402

DTYPES = {
    "float32": torch.float32, "float16": torch.float16, "float64": torch.float64,
    "int64": torch.int64, "int32": torch.int32, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}
# TensorProto.DataType numbers, for Cast's `to`.
ONNX_DTYPES = {1: torch.float32, 10: torch.float16, 11: torch.float64, 7: torch.int64, 6: torch.int32,
               3: torch.int8, 2: torch.uint8, 9: torch.bool}


def torch_major():
    return int(torch.__version__.split(".")[0])


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


# ---------------------------------------------------------------- graph -> module

def load_graph(graph_path, weights_path):
    with open(graph_path) as f:
        graph = json.load(f)
    with open(weights_path, "rb") as f:
        blob = f.read()
    tensors = {}
    for t in graph["initializers"]:
        dtype = DTYPES.get(t["dtype"])
        if dtype is None:
            fail("initializer %s has element type %s, which the torch runner does not handle" % (t["name"], t["dtype"]))
        count = math.prod(t["dims"]) if t["dims"] else 1
        if count == 0:
            tensors[t["name"]] = torch.zeros(t["dims"], dtype=dtype)
            continue
        raw = bytearray(blob[t["offset"]:t["offset"] + t["length"]])
        tensors[t["name"]] = torch.frombuffer(raw, dtype=dtype).reshape(t["dims"]).clone()
    return graph, tensors


def pads_for(attrs, rank):
    pads = attrs.get("pads", [0] * (2 * rank))
    if attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise ValueError("auto_pad %s is not supported by the torch runner" % attrs["auto_pad"])
    return pads[:rank], pads[rank:]


class Static:
    """Values known when the module is built: initializers and whatever is computed from them alone."""

    def __init__(self, consts):
        self.consts = consts

    def has(self, name):
        return name in self.consts

    def ints(self, name):
        return [int(v) for v in self.consts[name].reshape(-1).tolist()]

    def scalar(self, name):
        return float(self.consts[name].reshape(-1)[0].item())


UNARY = {"Sqrt": torch.sqrt, "Exp": torch.exp, "Log": torch.log, "Neg": torch.neg, "Abs": torch.abs,
         "Reciprocal": torch.reciprocal, "Erf": torch.erf, "Floor": torch.floor, "Ceil": torch.ceil}


def reduce_op(op, a, ins, static):
    keep = bool(a.get("keepdims", 1))
    axes = a.get("axes")
    if axes is None and len(ins) > 1 and ins[1]:
        if not static.has(ins[1]):
            raise ValueError("%s: computed axes are not supported" % op)
        axes = static.ints(ins[1])

    def red(x):
        t = x[0]
        dims = tuple(v % t.dim() for v in axes) if axes else tuple(range(t.dim()))
        if op == "ReduceMean":
            return [t.mean(dim=dims, keepdim=keep)]
        if op == "ReduceSum":
            return [t.sum(dim=dims, keepdim=keep)]
        return [(t.amax if op == "ReduceMax" else t.amin)(dim=dims, keepdim=keep)]
    return red


def slice_op(node, a, static):
    """ONNX Slice (starts/ends/axes as attributes before opset 10, inputs after), clamped as ONNX clamps."""
    ins = node["inputs"] + [""] * 5
    if "starts" in a:
        consts = [a["starts"], a["ends"], a.get("axes"), None]
    else:
        consts = [static.ints(n) if n and static.has(n) else None for n in ins[1:5]]

    def operand(x, k):
        if consts[k] is not None or "starts" in a:
            return consts[k]
        v = x[k + 1] if len(x) > k + 1 else None
        return None if v is None else [int(e) for e in v.tolist()]

    def slc(x):
        t = x[0]
        starts, ends, axes, steps = (operand(x, k) for k in range(4))
        axes = axes if axes is not None else list(range(len(starts)))
        steps = steps if steps is not None else [1] * len(starts)
        for s, e, ax, st in zip(starts, ends, axes, steps):
            ax %= t.dim()
            n = t.shape[ax]
            s, e = (s + n if s < 0 else s), (e + n if e < 0 else e)
            lo, hi = (0, n) if st > 0 else (-1, n - 1)
            idx = torch.arange(max(lo, min(hi, s)), max(lo, min(hi, e)), st, device=t.device)
            t = t.index_select(ax, idx)
        return [t]
    return slc


def resize_op(node, a, ins, static):
    """Resize as F.interpolate, for the modes that map onto it exactly; the rest are refused by name."""
    mode = a.get("mode", "nearest")
    ctm = a.get("coordinate_transformation_mode", "half_pixel")
    if mode == "nearest" and ctm == "asymmetric" and a.get("nearest_mode", "round_prefer_floor") == "floor":
        kw = {"mode": "nearest"}
    elif mode == "linear" and ctm in ("half_pixel", "pytorch_half_pixel", "align_corners"):
        kw = {"mode": "bilinear", "align_corners": ctm == "align_corners"}
    else:
        raise ValueError("Resize %s: mode %s with coordinate_transformation_mode %s is not supported by the torch "
                         "runner" % (node["name"], mode, ctm))

    def resize(x):
        t = x[0]
        sizes = x[3] if len(x) > 3 and x[3] is not None and x[3].numel() else None
        if sizes is not None:
            return [F.interpolate(t, size=[int(v) for v in sizes.tolist()[2:]], **kw)]
        scales = [float(v) for v in x[2].tolist()[2:]]
        return [F.interpolate(t, scale_factor=scales, recompute_scale_factor=False, **kw)]
    return resize



class Unsupported(ValueError):
    """An operator make_op has no torch form for; the module lists every such operator at once."""

    def __init__(self, op):
        super().__init__(op)
        self.op = op


def make_op(node, static):
    """Returns fn(inputs) -> list of outputs for one node; constants it needs are read now, not per call."""
    op, a, ins = node["op"], node.get("attrs", {}), node["inputs"]

    if op in ("Identity", "Dropout"):
        return lambda x: [x[0]]
    if op == "Relu":
        return lambda x: [F.relu(x[0])]
    if op == "Sigmoid":
        return lambda x: [torch.sigmoid(x[0])]
    if op == "Tanh":
        return lambda x: [torch.tanh(x[0])]
    if op == "HardSigmoid":
        alpha, beta = a.get("alpha", 0.2), a.get("beta", 0.5)
        return lambda x: [torch.clamp(x[0] * alpha + beta, 0.0, 1.0)]
    if op == "HardSwish":
        return lambda x: [F.hardswish(x[0])]
    if op == "LeakyRelu":
        slope = a.get("alpha", 0.01)
        return lambda x: [F.leaky_relu(x[0], slope)]
    if op == "Clip":
        if "min" in a or "max" in a:  # opset < 11
            lo, hi = a.get("min"), a.get("max")
        elif all(len(ins) <= i or ins[i] == "" or static.has(ins[i]) for i in (1, 2)):
            lo, hi = [static.scalar(ins[i]) if len(ins) > i and ins[i] else None for i in (1, 2)]
        else:
            # A bound computed by the graph is read when the module runs.
            def clip(x):
                lo, hi = [x[i].to(x[0].device) if len(x) > i and x[i] is not None else None for i in (1, 2)]
                return [torch.clamp(x[0], lo, hi)]
            return clip
        if lo == 0.0 and hi == 6.0:
            return lambda x: [F.hardtanh(x[0], 0.0, 6.0)]
        return lambda x: [torch.clamp(x[0], lo, hi)]
    if op == "Add":
        return lambda x: [x[0] + x[1]]
    if op == "Sub":
        return lambda x: [x[0] - x[1]]
    if op == "Mul":
        return lambda x: [x[0] * x[1]]
    if op == "Div":
        return lambda x: [x[0] / x[1]]
    if op == "Conv":
        rank = len(a.get("kernel_shape", [])) or 2
        begin, end = pads_for(a, rank)
        stride, dilation, group = a.get("strides", [1] * rank), a.get("dilations", [1] * rank), a.get("group", 1)
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]
        if begin == end:
            return lambda x: [conv(x[0], x[1], x[2] if len(x) > 2 else None, stride, begin, dilation, group)]
        pad = [p for pair in zip(reversed(begin), reversed(end)) for p in pair]
        return lambda x: [conv(F.pad(x[0], pad), x[1], x[2] if len(x) > 2 else None, stride, 0, dilation, group)]
    if op == "BatchNormalization":
        eps = a.get("epsilon", 1e-5)
        return lambda x: [F.batch_norm(x[0], x[3], x[4], x[1], x[2], False, 0.0, eps)]
    if op == "GlobalAveragePool":
        return lambda x: [F.adaptive_avg_pool2d(x[0], 1)]
    if op in ("AveragePool", "MaxPool"):
        k = a["kernel_shape"]
        begin, end = pads_for(a, len(k))
        if begin != end:
            raise ValueError("%s %s: asymmetric pads are not supported" % (op, node["name"]))
        stride = a.get("strides", [1] * len(k))
        if op == "MaxPool":
            return lambda x: [F.max_pool2d(x[0], k, stride, begin, ceil_mode=bool(a.get("ceil_mode", 0)))]
        inc = bool(a.get("count_include_pad", 0))
        return lambda x: [F.avg_pool2d(x[0], k, stride, begin, ceil_mode=bool(a.get("ceil_mode", 0)), count_include_pad=inc)]
    if op == "Flatten":
        axis = a.get("axis", 1)
        return lambda x: [x[0].reshape(math.prod(x[0].shape[:axis]), -1)]
    if op == "Gemm":
        alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
        ta, tb = a.get("transA", 0), a.get("transB", 0)
        if alpha == 1.0 and beta == 1.0 and not ta and tb:
            return lambda x: [F.linear(x[0], x[1], x[2] if len(x) > 2 else None)]

        def gemm(x):
            y = alpha * torch.matmul(x[0].t() if ta else x[0], x[1].t() if tb else x[1])
            return [y + beta * x[2] if len(x) > 2 and x[2] is not None else y]
        return gemm
    if op == "MatMul":
        return lambda x: [torch.matmul(x[0], x[1])]
    if op == "Reshape":
        allowzero = a.get("allowzero", 0)

        def target(shape, dims):
            return [d if (s == 0 and not allowzero) else s for s, d in zip(shape, list(dims) + [0] * len(shape))]
        if static.has(ins[1]):
            shape = static.ints(ins[1])
            return lambda x: [x[0].reshape(target(shape, x[0].shape))]
        return lambda x: [x[0].reshape(target([int(v) for v in x[1].tolist()], x[0].shape))]
    if op == "Shape":
        start, end = a.get("start", 0), a.get("end")
        # Shapes live on the CPU: reading them back never waits for the GPU and never enters a CUDA graph.
        return lambda x: [torch.tensor(list(x[0].shape)[start:end], dtype=torch.int64)]
    if op == "Gather":
        axis = a.get("axis", 0)

        def gather(x):
            idx = x[1].to(x[0].device)
            idx = torch.where(idx < 0, idx + x[0].shape[axis], idx)
            flat = torch.index_select(x[0], axis, idx.reshape(-1))
            shape = list(x[0].shape[:axis]) + list(idx.shape) + list(x[0].shape[axis + 1:])
            return [flat.reshape(shape)]
        return gather
    if op in ("Unsqueeze", "Squeeze"):
        axes = a.get("axes")
        if axes is None and len(ins) > 1 and ins[1]:
            axes = static.ints(ins[1])

        def squeeze(x):
            t = x[0]
            if op == "Unsqueeze":
                rank = t.dim() + len(axes)
                for ax in sorted(v % rank for v in axes):
                    t = t.unsqueeze(ax)
                return [t]
            if axes is None:
                return [t.squeeze()]
            for ax in sorted((v % t.dim() for v in axes), reverse=True):
                t = t.squeeze(ax)
            return [t]
        return squeeze
    if op == "Concat":
        axis = a["axis"]
        return lambda x: [torch.cat([t.to(x[0].device) for t in x], axis)]
    if op == "Transpose":
        perm = a.get("perm")
        return lambda x: [x[0].permute(perm) if perm else x[0].permute(*reversed(range(x[0].dim())))]
    if op == "Softmax":
        axis = a.get("axis", -1)
        return lambda x: [F.softmax(x[0], axis)]
    if op in UNARY:
        fn = UNARY[op]
        return lambda x: [fn(x[0])]
    if op == "Pow":
        return lambda x: [torch.pow(x[0], x[1].to(x[0].device))]
    if op in ("Max", "Min"):
        pick = torch.maximum if op == "Max" else torch.minimum
        return lambda x: [functools.reduce(lambda p, q: pick(p, q.to(p.device)), x)]
    if op in ("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"):
        return reduce_op(op, a, ins, static)
    if op == "Slice":
        return slice_op(node, a, static)
    if op == "Resize":
        return resize_op(node, a, ins, static)
    if op == "ConvTranspose":
        rank = len(a.get("kernel_shape", [])) or 2
        begin, end = pads_for(a, rank)
        if begin != end or "output_shape" in a:
            raise ValueError("ConvTranspose %s: asymmetric pads or output_shape are not supported" % node["name"])
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[rank]
        stride, dilation = a.get("strides", [1] * rank), a.get("dilations", [1] * rank)
        out_pad, group = a.get("output_padding", [0] * rank), a.get("group", 1)
        return lambda x: [conv(x[0], x[1], x[2] if len(x) > 2 else None, stride, begin, out_pad, group, dilation)]
    if op == "Cast":
        to = ONNX_DTYPES.get(a["to"])
        if to is None:
            raise ValueError("Cast %s: element type %d is not supported" % (node["name"], a["to"]))
        return lambda x: [x[0].to(to)]
    raise Unsupported(op)


class OnnxModule(torch.nn.Module):
    """Floating-point initializers are buffers, so .to(), .half() and channels-last reach them; integer
    ones (shapes, axes) stay CPU constants that ops read while the module is built."""

    def __init__(self, graph, tensors):
        super().__init__()
        self.input_names = [i["name"] for i in graph["inputs"] if i["name"] not in tensors]
        # The first input, for callers that feed a single-input model (the torch-compile engine, the GPU benches).
        self.input_name = self.input_names[0] if self.input_names else None
        self.output_names = [o["name"] for o in graph["outputs"]]
        self.buffer_of = {}
        consts = {}
        for i, (name, t) in enumerate(tensors.items()):
            if t.is_floating_point():
                self.register_buffer("w%d" % i, t)
                self.buffer_of[name] = "w%d" % i
            consts[name] = t
        static = Static(consts)
        self.steps = []
        missing = {}
        for node in graph["nodes"]:
            try:
                fn = make_op(node, static)
            except Unsupported as e:
                missing[e.op] = missing.get(e.op, 0) + 1
                continue
            self.steps.append((fn, node["inputs"], node["outputs"]))
        if missing:
            raise ValueError("the torch runner does not cover %d operator%s of this model: %s" % (
                len(missing), "" if len(missing) == 1 else "s",
                ", ".join("%s (%d node%s)" % (op, n, "" if n == 1 else "s") for op, n in sorted(missing.items()))))
        self.cpu_consts = {n: t for n, t in consts.items() if n not in self.buffer_of}

    def forward(self, *xs):
        env = dict(self.cpu_consts)
        for name, buf in self.buffer_of.items():
            env[name] = getattr(self, buf)
        env.update(zip(self.input_names, xs))
        for fn, ins, outs in self.steps:
            results = fn([env[i] if i else None for i in ins])
            for name, value in zip(outs, results):
                if name:
                    env[name] = value
        return env[self.output_names[0]]


# ---------------------------------------------------------------- timing

def report(run_id, **fields):
    """A progress line for the Node side (torch-runner.ts), which shows it while the run goes on."""
    if run_id is None:
        return
    sys.stderr.write("@progress %s\n" % json.dumps(dict(id=run_id, **fields)))
    sys.stderr.flush()


def sampled(fn, budget, cuda, run_id, phase):
    """Per-call latency in ms until budget["runs"] calls or budget["maxSeconds"] of wall time, whichever comes
    first, but never fewer than budget["minSamples"] calls. On the GPU, CUDA events recorded on the stream
    around each call, read back after a synchronize every CHUNK calls (the wall clock for the time limit is
    read there too, so the events' timing is not disturbed); on the CPU, perf_counter around each call.
    Returns (samples, stopped_by, seconds)."""
    runs, limit, floor = budget["runs"], budget["maxSeconds"], min(budget["minSamples"], budget["runs"])
    samples = []
    started = last_report = time.perf_counter()
    stopped_by = "runs"
    chunk = 10 if cuda else 1
    while len(samples) < runs:
        n = min(chunk, runs - len(samples))
        if cuda:
            starts = [torch.cuda.Event(enable_timing=True) for _ in range(n)]
            ends = [torch.cuda.Event(enable_timing=True) for _ in range(n)]
            for i in range(n):
                starts[i].record()
                fn()
                ends[i].record()
            torch.cuda.synchronize()
            samples.extend(s.elapsed_time(e) for s, e in zip(starts, ends))
        else:
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000.0)
        now = time.perf_counter()
        if now - last_report >= 0.5:
            report(run_id, phase=phase, n=len(samples), total=runs, elapsedMs=(now - started) * 1000.0)
            last_report = now
        if len(samples) < runs and now - started >= limit and len(samples) >= floor:
            stopped_by = "max_seconds"
            break
    return samples, stopped_by, time.perf_counter() - started


def timed(fn, iterations, cuda):
    """Exactly `iterations` samples, no time limit (bench/torchvision_ref.py compares like with like)."""
    return sampled(fn, {"runs": iterations, "maxSeconds": math.inf, "minSamples": iterations}, cuda, None, None)[0]


def cuda_graph(module, *x):
    """One call of module on x captured as a CUDA graph (after warm-up on a side stream, as capture requires);
    returns a replay that yields the captured output."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            module(*x)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = module(*x)
    return lambda: (graph.replay(), static_out)[1]


def skipped(run, kind, reason):
    return {"id": run["id"], "ok": False, "kind": kind, "reason": reason}


def skip_reason(run, cuda):
    """(kind, reason) when the run cannot happen here, else None."""
    mode, precision = run["mode"], run["precision"]
    if mode == "cudagraph" and not cuda:
        return "no-gpu", "CUDA not available: skipping torch-cudagraph"
    if precision == "fp16" and not cuda:
        return "no-gpu", "CUDA not available: skipping torch FP16 (torch's CPU float16 kernels are incomplete)"
    if mode == "compile" and torch_major() < 2:
        return "tool-unavailable", "torch.compile needs torch >= 2 (found %s)" % torch.__version__
    if mode not in ("eager", "compile", "cudagraph"):
        return "engine-failed", "unknown torch mode %s" % mode
    return None


def run_one(base, run, request, device, inputs):
    cuda = device.type == "cuda"
    why = skip_reason(run, cuda)
    if why:
        return skipped(run, *why)
    dtype = torch.float16 if run["precision"] == "fp16" else torch.float32
    channels_last = bool(run.get("channelsLast")) and cuda
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    # A copy per run: Module.to converts in place, and the master weights must stay float32.
    module = copy.deepcopy(base).to(device=device, dtype=dtype)
    if channels_last:
        module = module.to(memory_format=fmt)
    # Float inputs take the run's precision and layout; integer and boolean ones go as they are.
    x = [t.to(device=device, dtype=dtype).contiguous(memory_format=fmt if t.dim() == 4 else torch.contiguous_format)
         if t.is_floating_point() else t.to(device=device) for t in inputs[run["batch"]]]
    warmup = request["warmup"]
    compile_ms = None
    if torch_major() >= 2:
        torch._dynamo.reset()
    with torch.no_grad():
        if run["mode"] == "compile":
            cache = compile_cache.for_run(torch, request, run)
            compiled = torch.compile(module, **({"mode": request["compileMode"]} if request.get("compileMode") else {}))
            report(run["id"], event="compile-start")
            t0 = time.perf_counter()
            try:
                compiled(*x)
            except Exception as e:
                return skipped(run, "engine-failed", "torch.compile failed: %s" % str(e).splitlines()[0])
            if cuda:
                torch.cuda.synchronize()
            compile_ms = (time.perf_counter() - t0) * 1000.0
            report(run["id"], event="compile-done", ms=compile_ms)
            fn = lambda: compiled(*x)
        elif run["mode"] == "cudagraph":
            fn = cuda_graph(module, *x)
        else:
            fn = lambda: module(*x)
        warm = {"runs": warmup, "maxSeconds": request["warmupMaxSeconds"], "minSamples": min(warmup, 1)}
        warm_samples, _, warm_seconds = sampled(fn, warm, cuda, run["id"], "warm-up") if warmup else ([], "runs", 0.0)
        if cuda:
            torch.cuda.synchronize()
        budget = {k: request[k] for k in ("maxSeconds", "minSamples")}
        budget["runs"] = request["iterations"]
        samples, stopped_by, seconds = sampled(fn, budget, cuda, run["id"], "timed")
        out = fn()
        if cuda:
            torch.cuda.synchronize()
    out = out.float().cpu().contiguous()
    path = os.path.join(request["outputDir"], "%s.f32" % run["id"])
    with open(path, "wb") as f:
        f.write(out.numpy().tobytes())
    timing = ("CUDA events recorded on the stream around each call (input already on the GPU; no host copies)"
              if cuda else "perf_counter around each call")
    result = {"id": run["id"], "ok": True, "samplesMs": samples, "warmup": len(warm_samples), "timing": timing,
              "sampling": {"n": len(samples), "stoppedBy": stopped_by, "seconds": seconds,
                           "warmup": len(warm_samples), "warmupSeconds": warm_seconds},
              "device": torch.cuda.get_device_name(0) if cuda else "cpu",
              "settings": {"mode": run["mode"], "channelsLast": channels_last, "dtype": str(dtype).replace("torch.", ""),
                           "threads": torch.get_num_threads()},
              "output": path, "outputDims": list(out.shape)}
    if cuda:
        result["settings"]["tf32"] = bool(torch.backends.cudnn.allow_tf32)
        result["settings"]["cudnnBenchmark"] = bool(torch.backends.cudnn.benchmark)
    if run["mode"] == "compile":
        result["settings"]["compileMode"] = request.get("compileMode") or "default"
        result["compileMs"] = compile_ms
        result["settings"].update(cache)
    return result


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
    graph, tensors = load_graph(request["graph"], request["weights"])
    try:
        base = OnnxModule(graph, tensors).eval()
    except ValueError as e:
        # Operators (or attributes) this runner does not cover: an answer for every run, not a broken request.
        results = [skipped(run, "unsupported-operator", str(e)) for run in request["runs"]]
        print(json.dumps({"protocol": PROTOCOL, "environment": environment(), "results": results}))
        return
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
        missing = [n for n in base.input_names if n not in by_name]
        if missing:
            fail("no values given for input(s) %s" % ", ".join(missing))
        inputs[int(batch)] = [by_name[n] for n in base.input_names]
    results = []
    for run in request["runs"]:
        try:
            results.append(run_one(base, run, request, device, inputs))
        except torch.cuda.OutOfMemoryError if hasattr(torch.cuda, "OutOfMemoryError") else MemoryError as e:
            results.append(skipped(run, "out-of-memory", "out of GPU memory: %s" % str(e).splitlines()[0]))
        finally:
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print(json.dumps({"protocol": PROTOCOL, "environment": environment(), "results": results}))


if __name__ == "__main__":
    main()
