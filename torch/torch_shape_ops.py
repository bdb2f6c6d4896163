"""
The torch runner's builders for the operators that select, reorder or reshape elements without arithmetic:
their part of the operator table in torch_ops.py, with the same builder form (node, attributes, Static).
"""
import math

import torch


def axes_of(node, a, static):
    """Axes from the attribute (older opsets) or from a constant second input; None when neither is given."""
    axes, ins = a.get("axes"), node["inputs"]
    if axes is None and len(ins) > 1 and ins[1]:
        if not static.has(ins[1]):
            raise ValueError("%s: computed axes are not supported" % node["op"])
        axes = static.ints(ins[1])
    return axes


def flatten(node, a, static):
    axis = a.get("axis", 1)
    return lambda x: [x[0].reshape(math.prod(x[0].shape[:axis]), -1)]


def reshape(node, a, static):
    allowzero, ins = a.get("allowzero", 0), node["inputs"]

    def target(shape, dims):
        return [d if (s == 0 and not allowzero) else s for s, d in zip(shape, list(dims) + [0] * len(shape))]
    if static.has(ins[1]):
        shape = static.ints(ins[1])
        return lambda x: [x[0].reshape(target(shape, x[0].shape))]
    return lambda x: [x[0].reshape(target([int(v) for v in x[1].tolist()], x[0].shape))]


def shape_of(node, a, static):
    start, end = a.get("start", 0), a.get("end")
    # Shapes live on the CPU: reading them back never waits for the GPU and never enters a CUDA graph.
    return lambda x: [torch.tensor(list(x[0].shape)[start:end], dtype=torch.int64)]


def gather(node, a, static):
    axis = a.get("axis", 0)

    def run(x):
        idx = x[1].to(x[0].device)
        idx = torch.where(idx < 0, idx + x[0].shape[axis], idx)
        flat = torch.index_select(x[0], axis, idx.reshape(-1))
        dims = list(x[0].shape[:axis]) + list(idx.shape) + list(x[0].shape[axis + 1:])
        return [flat.reshape(dims)]
    return run


def unsqueeze(node, a, static):
    axes = axes_of(node, a, static)

    def run(x):
        t = x[0]
        rank = t.dim() + len(axes)
        for ax in sorted(v % rank for v in axes):
            t = t.unsqueeze(ax)
        return [t]
    return run


def squeeze(node, a, static):
    axes = axes_of(node, a, static)

    def run(x):
        t = x[0]
        if axes is None:
            return [t.squeeze()]
        for ax in sorted((v % t.dim() for v in axes), reverse=True):
            t = t.squeeze(ax)
        return [t]
    return run


def concat(node, a, static):
    axis = a["axis"]
    return lambda x: [torch.cat([t.to(x[0].device) for t in x], axis)]


def transpose(node, a, static):
    perm = a.get("perm")
    return lambda x: [x[0].permute(perm) if perm else x[0].permute(*reversed(range(x[0].dim())))]


def slicing(node, a, static):
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

    def run(x):
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
    return run


SHAPE_OPS = {"Flatten": flatten, "Reshape": reshape, "Shape": shape_of, "Gather": gather, "Unsqueeze": unsqueeze,
             "Squeeze": squeeze, "Concat": concat, "Transpose": transpose, "Slice": slicing}
