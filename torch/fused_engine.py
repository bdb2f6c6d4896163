"""
Builds the torch-fused engine's plan: every inverted-residual block of our graph (fused_blocks.py) timed on
this GPU as the fused Triton kernel in each setting and as PyTorch's operators (fused_triton.FusedKernel's
tuning), at every batch size the benchmark will run, FP16 channels-last as the runner runs it. The plan file
keeps each block's fastest choice, so the benchmark loads the choices instead of measuring them again; it also
keeps what was measured, which the report's per-block figures come from. The runner's "fused" runs load
the plan (`runnable`).
"""
import json
import os
import time


class Unanswerable(Exception):
    """A run found impossible only once it starts: args are the skip's cause and message."""


def build(request, torch, environment, triton_version):
    """torch_engine.py's build for {"engine": "fused"}: the reply it prints."""
    if not torch.cuda.is_available() or request.get("device") == "cpu":
        return {"ok": False, "message": "torch-fused needs a CUDA GPU, which torch %s does not see" % torch.__version__}
    try:
        from fused_triton import FusedKernel
    except Exception as e:  # Triton missing or broken: one line, the stage fails with it
        return {"ok": False, "message": "torch-fused needs Triton: %s" % str(e).splitlines()[0]}
    from fused_blocks import fuse
    from torch_graph import OnnxModule, load_graph
    torch.backends.cudnn.benchmark = bool(request.get("cudnnBenchmark", True))
    graph, tensors = load_graph(request["graph"], request["weights"])
    try:
        base = OnnxModule(graph, tensors).eval()
    except ValueError as e:
        return {"ok": False, "message": str(e)}
    shape = [int(d) for d in [i["shape"] for i in graph["inputs"] if i["name"] == base.input_name][0][1:]]
    kernel = FusedKernel(tune=True)
    seconds, blocks = {}, []
    for batch in request["batches"]:
        module = base.cuda().half().to(memory_format=torch.channels_last)
        blocks = fuse(module, graph, kernel)
        if not blocks:
            return {"ok": False, "message": "no inverted-residual block (1x1 expand, ReLU6, 3x3 depthwise, ReLU6, "
                                           "1x1 project) in this graph: torch-fused has nothing to fuse"}
        x = torch.randn([batch] + shape, device="cuda").half().contiguous(memory_format=torch.channels_last)
        t0 = time.perf_counter()
        with torch.no_grad():
            module(x)
        torch.cuda.synchronize()
        seconds[str(batch)] = time.perf_counter() - t0
        base = OnnxModule(graph, tensors).eval()
    env = environment()
    header = {"engine": "torch-fused", "precision": "fp16", "torch": torch.__version__, "triton": triton_version(),
              "gpu": env.get("gpu"), "computeCapability": env.get("computeCapability"),
              "batches": request["batches"], "blocks": len(blocks), "tuneSeconds": seconds}
    with open(request["out"], "w") as f:
        json.dump({"header": header, "plan": kernel.plan(), "measured": kernel.choices,
                   "declined": kernel.declined}, f, indent=1)
    return {"ok": True, "header": header, "compileSeconds": seconds, "bytes": os.path.getsize(request["out"])}


def runnable(module, graph, x, run, request, cuda_graph):
    """torch_runner.py's call for a "fused" run: each inverted-residual block as one Triton kernel (or
    PyTorch's operators, where they measured faster or the kernel declines the block), the whole graph replayed
    as a CUDA graph."""
    try:
        from fused_triton import FusedKernel
    except Exception as e:
        raise Unanswerable("tool-unavailable", "torch-fused needs Triton: %s" % str(e).splitlines()[0])
    from fused_blocks import fuse
    plan_file = (request.get("fusedPlan") or {}).get(run["precision"])
    plan = []
    if plan_file:
        with open(plan_file) as f:
            plan = json.load(f)["plan"]
    kernel = FusedKernel(tune=True, plan=plan)
    blocks = fuse(module, graph, kernel)
    if not blocks:
        raise Unanswerable("unsupported-model", "no inverted-residual block (1x1 expand, ReLU6, 3x3 depthwise, "
                                                "ReLU6, 1x1 project) in this graph: torch-fused has nothing to fuse")
    call = cuda_graph(module, *x)
    settings = {"fusedBlocks": len(blocks), **plan_counts(kernel.plan(), plan, kernel.declined, x[0].shape[0]),
                "plan": "engine:torch-fused:fp16" if plan_file else "measured in this run"}
    return call, {"settings": settings}


def plan_counts(chosen, stored, declined, batch):
    """How the blocks of one batch size ran: the plan holds a choice per block and batch size, so only this
    batch's entries count."""
    mine = [p for p in chosen if p["shape"][0] == batch]
    return {"blocksOnTorch": sum(p["choice"] == "torch" for p in mine) + len(declined),
            "blocksMeasuredHere": len(mine) - sum(p["shape"][0] == batch for p in stored)}
