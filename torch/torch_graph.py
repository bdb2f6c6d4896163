"""
Our ONNX graph as a torch module: the graph as JSON (nodes with op, inputs, outputs, attributes) plus one raw
little-endian weights file, both written by graph-export.ts, read with the standard library and torch alone
(no `onnx` package: the GPU machine may not have one); each node becomes the torch callable the operator
table (torch_ops.py) builds for it.
"""
import json
import math
import sys

import torch
from torch_ops import Static, Unsupported, make_op

DTYPES = {
    "float32": torch.float32, "float16": torch.float16, "float64": torch.float64,
    "int64": torch.int64, "int32": torch.int32, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}


class GraphError(Exception):
    """A graph or weights file this module cannot read: a broken request, not a skipped run."""


def build_module(request):
    """An engine build's module in eval mode, or the build's reply where the runner cannot run one of the graph's
    operators (the stage's one-line failure). A graph or weights file it cannot read is a broken request: its
    reason on stderr, exit 1."""
    try:
        graph, tensors = load_graph(request["graph"], request["weights"])
    except GraphError as e:
        sys.stderr.write("%s\n" % e)
        sys.exit(1)
    try:
        return OnnxModule(graph, tensors).eval()
    except ValueError as e:
        return {"ok": False, "message": str(e)}


def load_graph(graph_path, weights_path):
    with open(graph_path) as f:
        graph = json.load(f)
    with open(weights_path, "rb") as f:
        blob = f.read()
    tensors = {}
    for t in graph["initializers"]:
        dtype = DTYPES.get(t["dtype"])
        if dtype is None:
            raise GraphError("initializer %s has element type %s, which the torch runner does not handle" % (
                t["name"], t["dtype"]))
        count = math.prod(t["dims"]) if t["dims"] else 1
        if count == 0:
            tensors[t["name"]] = torch.zeros(t["dims"], dtype=dtype)
            continue
        raw = bytearray(blob[t["offset"]:t["offset"] + t["length"]])
        tensors[t["name"]] = torch.frombuffer(raw, dtype=dtype).reshape(t["dims"]).clone()
    return graph, tensors


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
