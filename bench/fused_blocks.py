"""
Finds MobileNetV2's inverted-residual blocks in the torch runner's graph and runs each as one step:

    [Conv 1x1 -> Clip(0, 6)] -> Conv 3x3 depthwise -> Clip(0, 6) -> Conv 1x1 [-> Add(block input)]

The expand part is absent in a block whose expansion factor is 1 (MobileNetV2's first). Every intermediate
tensor of a matched chain must feed only the next node of the chain, so replacing the chain changes no other
consumer. The fused step calls `kernel(x, block)` (the Triton kernel of fused_triton.py on a GPU) and falls
back to the unfused PyTorch operators where no kernel is given or the kernel declines the block (returns
None), so a matched module always computes what the graph says.
"""
import torch
import torch.nn.functional as F


def _consumers(nodes):
    used = {}
    for i, n in enumerate(nodes):
        for name in n["inputs"]:
            if name:
                used.setdefault(name, []).append(i)
    return used


def _is_relu6(node, consts):
    if node["op"] != "Clip" or len(node["inputs"]) < 3:
        return False
    lo, hi = consts.get(node["inputs"][1]), consts.get(node["inputs"][2])
    return lo is not None and hi is not None and float(lo.reshape(-1)[0]) == 0.0 and float(hi.reshape(-1)[0]) == 6.0


def _conv(node, kernel, group_of=None):
    """The Conv node's attributes if it is a plain (dilation 1, symmetric padding) conv with this kernel size."""
    if node["op"] != "Conv" or len(node["inputs"]) < 3:
        return None
    a = node.get("attrs", {})
    if list(a.get("kernel_shape", [])) != [kernel, kernel] or list(a.get("dilations", [1, 1])) != [1, 1]:
        return None
    pads = list(a.get("pads", [0, 0, 0, 0]))
    if pads != [kernel // 2] * 4 or a.get("auto_pad", "NOTSET") not in ("NOTSET",):
        return None
    stride = list(a.get("strides", [1, 1]))
    if stride[0] != stride[1] or (kernel == 1 and stride != [1, 1]):
        return None
    return {"stride": stride[0], "group": a.get("group", 1)}


def match_blocks(graph, consts):
    """Index lists of the nodes each block covers, with the names of its tensors and weights."""
    nodes = graph["nodes"]
    used = _consumers(nodes)
    only_to = lambda name, j: used.get(name) == [j]
    producer = {o: i for i, n in enumerate(nodes) for o in n["outputs"]}
    blocks = []
    taken = set()
    for i, dw in enumerate(nodes):
        c = _conv(dw, 3)
        if c is None or i in taken or consts.get(dw["inputs"][1]) is None:
            continue
        channels = consts[dw["inputs"][1]].shape[0]
        if c["group"] != channels or consts[dw["inputs"][1]].shape[1] != 1:
            continue
        chain, expand = [i], None
        p = producer.get(dw["inputs"][0])
        if p is not None and _is_relu6(nodes[p], consts) and only_to(nodes[p]["outputs"][0], i):
            q = producer.get(nodes[p]["inputs"][0])
            if q is not None and _conv(nodes[q], 1) and nodes[q]["attrs"].get("group", 1) == 1 \
                    and only_to(nodes[q]["outputs"][0], p) and consts.get(nodes[q]["inputs"][1]) is not None:
                expand, chain = nodes[q], [q, p, i]
        block_input = expand["inputs"][0] if expand else dw["inputs"][0]
        nxt = used.get(dw["outputs"][0], [])
        if len(nxt) != 1 or not _is_relu6(nodes[nxt[0]], consts):
            continue
        r = nxt[0]
        nxt = used.get(nodes[r]["outputs"][0], [])
        if len(nxt) != 1 or not _conv(nodes[nxt[0]], 1) or nodes[nxt[0]]["attrs"].get("group", 1) != 1:
            continue
        proj = nodes[nxt[0]]
        chain += [r, nxt[0]]
        out, residual = proj["outputs"][0], False
        after = used.get(out, [])
        if len(after) == 1 and nodes[after[0]]["op"] == "Add" and c["stride"] == 1 \
                and sorted(nodes[after[0]]["inputs"]) == sorted([out, block_input]):
            chain.append(after[0])
            out, residual = nodes[after[0]]["outputs"][0], True
        blocks.append({
            "nodes": chain, "input": block_input, "output": out, "stride": c["stride"], "residual": residual,
            "expand": (expand["inputs"][1], expand["inputs"][2]) if expand else None,
            "depthwise": (dw["inputs"][1], dw["inputs"][2]), "project": (proj["inputs"][1], proj["inputs"][2]),
        })
        taken.update(chain)
    return blocks


def unfused(x, block, w):
    """The block with PyTorch's own operators: what the graph's nodes compute."""
    h = x
    if block["expand"]:
        h = F.hardtanh(F.conv2d(h, w(block["expand"][0]), w(block["expand"][1])), 0.0, 6.0)
    wd = w(block["depthwise"][0])
    h = F.hardtanh(F.conv2d(h, wd, w(block["depthwise"][1]), block["stride"], 1, 1, wd.shape[0]), 0.0, 6.0)
    h = F.conv2d(h, w(block["project"][0]), w(block["project"][1]))
    return h + x if block["residual"] else h


def fuse(module, graph, kernel=None):
    """Replaces each matched chain in an OnnxModule's steps by one step; returns the blocks it fused."""
    blocks = match_blocks(graph, module.cpu_consts | {n: getattr(module, b) for n, b in module.buffer_of.items()})
    start = {b["nodes"][0]: b for b in blocks}
    covered = {i for b in blocks for i in b["nodes"]}
    steps = []
    for i, step in enumerate(module.steps):
        if i in start:
            steps.append((_step(module, start[i], kernel), [start[i]["input"]], [start[i]["output"]]))
        elif i not in covered:
            steps.append(step)
    module.steps = steps
    return blocks


def _step(module, block, kernel):
    w = lambda name: getattr(module, module.buffer_of[name])

    def run(x):
        y = kernel(x[0], block, w) if kernel is not None else None
        return [unfused(x[0], block, w) if y is None else y]
    return run


if __name__ == "__main__":
    # Self-check on any machine: the fused module (PyTorch fallback) against the graph's own module.
    import json
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
    from torch_graph import OnnxModule, load_graph
    graph, tensors = load_graph(sys.argv[1], sys.argv[2])
    size = [int(d) for d in graph["inputs"][0]["shape"][1:]]
    torch.manual_seed(0)
    x = torch.randn([2] + size)
    with torch.no_grad():
        want = OnnxModule(graph, tensors).eval()(x)
        fused = OnnxModule(graph, tensors).eval()
        blocks = fuse(fused, graph)
        got = fused(x)
    print(json.dumps({
        "blocks": len(blocks), "residual": sum(b["residual"] for b in blocks),
        "withoutExpand": sum(b["expand"] is None for b in blocks), "strides": [b["stride"] for b in blocks],
        "steps": len(fused.steps), "maxAbsDiff": float((want - got).abs().max()),
    }))
