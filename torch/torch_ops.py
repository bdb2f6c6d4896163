"""
The operator table of the torch runner (OPS): for each ONNX operator it covers, a builder that turns one node
into fn(inputs) -> list of outputs made of torch operators; the builders of operators that only move elements
are in torch_shape_ops.py. A builder reads the node's attributes and the constants it needs once, when the
module is built, never per call; it raises ValueError for a form of the operator it does not cover, and
make_op raises Unsupported for an operator with no builder at all.
"""
import functools
import operator

import torch
import torch.nn.functional as F
from torch_shape_ops import SHAPE_OPS, axes_of

# TensorProto.DataType numbers, for Cast's `to`.
ONNX_DTYPES = {1: torch.float32, 10: torch.float16, 11: torch.float64, 7: torch.int64, 6: torch.int32,
               3: torch.int8, 2: torch.uint8, 9: torch.bool}


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


class Unsupported(ValueError):
    """An operator make_op has no torch form for; the module lists every such operator at once."""

    def __init__(self, op):
        super().__init__(op)
        self.op = op


def pads_for(attrs, rank):
    pads = attrs.get("pads", [0] * (2 * rank))
    if attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise ValueError("auto_pad %s is not supported by the torch runner" % attrs["auto_pad"])
    return pads[:rank], pads[rank:]


def bias(x):
    return x[2] if len(x) > 2 else None


UNARY = {"Sqrt": torch.sqrt, "Exp": torch.exp, "Log": torch.log, "Neg": torch.neg, "Abs": torch.abs,
         "Reciprocal": torch.reciprocal, "Erf": torch.erf, "Floor": torch.floor, "Ceil": torch.ceil,
         "Relu": F.relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "HardSwish": F.hardswish,
         "Identity": lambda t: t, "Dropout": lambda t: t, "GlobalAveragePool": lambda t: F.adaptive_avg_pool2d(t, 1)}
BINARY = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv,
          "MatMul": torch.matmul, "Pow": lambda p, q: torch.pow(p, q.to(p.device))}


def unary(fn):
    def build(node, a, static):
        return lambda x: [fn(x[0])]
    return build


def binary(fn):
    def build(node, a, static):
        return lambda x: [fn(x[0], x[1])]
    return build


def hard_sigmoid(node, a, static):
    alpha, beta = a.get("alpha", 0.2), a.get("beta", 0.5)
    return lambda x: [torch.clamp(x[0] * alpha + beta, 0.0, 1.0)]


def leaky_relu(node, a, static):
    slope = a.get("alpha", 0.01)
    return lambda x: [F.leaky_relu(x[0], slope)]


def computed_clip(x):
    """Clip with a bound the graph computes: the bounds are read when the module runs."""
    lo, hi = [x[i].to(x[0].device) if len(x) > i and x[i] is not None else None for i in (1, 2)]
    return [torch.clamp(x[0], lo, hi)]


def clip(node, a, static):
    ins = node["inputs"]
    if "min" in a or "max" in a:  # opset < 11
        lo, hi = a.get("min"), a.get("max")
    elif all(len(ins) <= i or ins[i] == "" or static.has(ins[i]) for i in (1, 2)):
        lo, hi = [static.scalar(ins[i]) if len(ins) > i and ins[i] else None for i in (1, 2)]
    else:
        return computed_clip
    if lo == 0.0 and hi == 6.0:
        return lambda x: [F.hardtanh(x[0], 0.0, 6.0)]
    return lambda x: [torch.clamp(x[0], lo, hi)]


def conv(node, a, static):
    rank = len(a.get("kernel_shape", [])) or 2
    begin, end = pads_for(a, rank)
    stride, dilation, group = a.get("strides", [1] * rank), a.get("dilations", [1] * rank), a.get("group", 1)
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]
    if begin == end:
        return lambda x: [fn(x[0], x[1], bias(x), stride, begin, dilation, group)]
    pad = [p for pair in zip(reversed(begin), reversed(end)) for p in pair]
    return lambda x: [fn(F.pad(x[0], pad), x[1], bias(x), stride, 0, dilation, group)]


def conv_transpose(node, a, static):
    rank = len(a.get("kernel_shape", [])) or 2
    begin, end = pads_for(a, rank)
    if begin != end or "output_shape" in a:
        raise ValueError("ConvTranspose %s: asymmetric pads or output_shape are not supported" % node["name"])
    fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[rank]
    stride, dilation = a.get("strides", [1] * rank), a.get("dilations", [1] * rank)
    out_pad, group = a.get("output_padding", [0] * rank), a.get("group", 1)
    return lambda x: [fn(x[0], x[1], bias(x), stride, begin, out_pad, group, dilation)]


def batch_norm(node, a, static):
    eps = a.get("epsilon", 1e-5)
    return lambda x: [F.batch_norm(x[0], x[3], x[4], x[1], x[2], False, 0.0, eps)]


def pool(node, a, static):
    k = a["kernel_shape"]
    begin, end = pads_for(a, len(k))
    if begin != end:
        raise ValueError("%s %s: asymmetric pads are not supported" % (node["op"], node["name"]))
    stride = a.get("strides", [1] * len(k))
    ceil = bool(a.get("ceil_mode", 0))
    if node["op"] == "MaxPool":
        return lambda x: [F.max_pool2d(x[0], k, stride, begin, ceil_mode=ceil)]
    inc = bool(a.get("count_include_pad", 0))
    return lambda x: [F.avg_pool2d(x[0], k, stride, begin, ceil_mode=ceil, count_include_pad=inc)]


def gemm(node, a, static):
    alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
    ta, tb = a.get("transA", 0), a.get("transB", 0)
    if alpha == 1.0 and beta == 1.0 and not ta and tb:
        return lambda x: [F.linear(x[0], x[1], bias(x))]

    def general(x):
        y = alpha * torch.matmul(x[0].t() if ta else x[0], x[1].t() if tb else x[1])
        return [y + beta * x[2] if len(x) > 2 and x[2] is not None else y]
    return general


def softmax(node, a, static):
    axis = a.get("axis", -1)
    return lambda x: [F.softmax(x[0], axis)]


def extremum(node, a, static):
    pick = torch.maximum if node["op"] == "Max" else torch.minimum
    return lambda x: [functools.reduce(lambda p, q: pick(p, q.to(p.device)), x)]


REDUCTIONS = {"ReduceMean": "mean", "ReduceSum": "sum", "ReduceMax": "amax", "ReduceMin": "amin"}


def reduction(node, a, static):
    keep = bool(a.get("keepdims", 1))
    axes = axes_of(node, a, static)
    method = REDUCTIONS[node["op"]]

    def run(x):
        t = x[0]
        dims = tuple(v % t.dim() for v in axes) if axes else tuple(range(t.dim()))
        return [getattr(t, method)(dim=dims, keepdim=keep)]
    return run


def resize(node, a, static):
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

    def run(x):
        t = x[0]
        sizes = x[3] if len(x) > 3 and x[3] is not None and x[3].numel() else None
        if sizes is not None:
            return [F.interpolate(t, size=[int(v) for v in sizes.tolist()[2:]], **kw)]
        scales = [float(v) for v in x[2].tolist()[2:]]
        return [F.interpolate(t, scale_factor=scales, recompute_scale_factor=False, **kw)]
    return run


def cast(node, a, static):
    to = ONNX_DTYPES.get(a["to"])
    if to is None:
        raise ValueError("Cast %s: element type %d is not supported" % (node["name"], a["to"]))
    return lambda x: [x[0].to(to)]


OPS = {
    **{op: unary(fn) for op, fn in UNARY.items()},
    **{op: binary(fn) for op, fn in BINARY.items()},
    "HardSigmoid": hard_sigmoid, "LeakyRelu": leaky_relu, "Clip": clip,
    "Conv": conv, "ConvTranspose": conv_transpose, "BatchNormalization": batch_norm,
    "AveragePool": pool, "MaxPool": pool, "Gemm": gemm, "Softmax": softmax, "Max": extremum, "Min": extremum,
    "Resize": resize, "Cast": cast,
    **{op: reduction for op in REDUCTIONS},
    **SHAPE_OPS,
}


def make_op(node, static):
    """Returns fn(inputs) -> list of outputs for one node; constants it needs are read now, not per call."""
    build = OPS.get(node["op"])
    if build is None:
        raise Unsupported(node["op"])
    return build(node, node.get("attrs", {}), static)
