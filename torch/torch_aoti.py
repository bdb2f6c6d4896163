#!/usr/bin/env python3
"""
Builds the AOTInductor engine: torch.export of our graph (the torch runner's module, the same precision and
device), its batch dimension left dynamic where the model has one, compiled ahead of time by
torch._inductor.aoti_compile_and_package into one .pt2 package. The package runs with
torch._inductor.aoti_load_package alone: no tracing, no compile at start-up (docs/compiled-engines.md).

One JSON request on stdin, one JSON reply on stdout:
  {"graph", "weights", "precision", "device", "maxBatch", "out"}
  -> {"ok": true, "header": {...}, "exportSeconds", "compileSeconds", "bytes"} | {"ok": false, "message"}
A broken request exits 1 with the message on stderr. The probe is torch_engine.py's: both engines need the
same torch, and the no-op run asks once.
"""
import json
import os
import sys
import time

# torch.export names a dynamic dimension's bounds; 0 and 1 are specialised by export, so the example batch is 2.
EXAMPLE_BATCH = 2


def exported(torch, module, shape, dtype, device, request):
    """The exported program, its batch dimension dynamic (1..maxBatch) when the model's is symbolic. The module
    takes its inputs as *args; export gets one named argument, so that the package is called as model(x). (Not
    `graph`: that is the name of the fx graph on the module export makes.)"""
    class OneInput(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = module

        def forward(self, x):
            return self.net(x)

    # A symbolic first dimension is the batch; every other symbolic one takes the example size, fixed.
    dynamic = len(shape) > 0 and not isinstance(shape[0], int)
    dims = [d if isinstance(d, int) else EXAMPLE_BATCH for d in shape]
    x = torch.randn(dims).to(device=device, dtype=dtype)
    spec = None
    if dynamic:
        batch = torch.export.Dim("batch", min=1, max=max(int(request.get("maxBatch", 1024)), EXAMPLE_BATCH))
        spec = ({0: batch},)
    return torch.export.export(OneInput().eval(), (x,), dynamic_shapes=spec), dynamic


def build(request):
    from torch_graph import GraphError, OnnxModule, load_graph
    from torch_runner import environment, torch
    if not hasattr(getattr(torch, "_inductor", None), "aoti_compile_and_package"):
        return {"ok": False, "message": "torch %s has no torch._inductor.aoti_compile_and_package" % torch.__version__}
    cuda = torch.cuda.is_available() and request.get("device", "auto") != "cpu"
    if request["precision"] == "fp16" and not cuda:
        return {"ok": False, "message": "an FP16 engine needs CUDA, which torch %s does not see" % torch.__version__}
    device = torch.device("cuda" if cuda else "cpu")
    try:
        graph, tensors = load_graph(request["graph"], request["weights"])
    except GraphError as e:
        sys.stderr.write("%s\n" % e)
        sys.exit(1)
    try:
        module = OnnxModule(graph, tensors).eval()
    except ValueError as e:  # an operator the runner cannot run: the stage's one-line failure
        return {"ok": False, "message": str(e)}
    inputs = [i for i in graph["inputs"] if i["name"] == module.input_name]
    if len(module.input_names) != 1 or not inputs:
        return {"ok": False, "message": "the AOTInductor engine takes models with one float input"}
    dtype = torch.float16 if request["precision"] == "fp16" else torch.float32
    module = module.to(device=device, dtype=dtype)
    t0 = time.perf_counter()
    try:
        with torch.no_grad():
            program, dynamic = exported(torch, module, inputs[0]["shape"], dtype, device, request)
    except Exception as e:
        return {"ok": False, "message": "torch.export failed: %s" % str(e).strip().splitlines()[0]}
    t1 = time.perf_counter()
    try:
        torch._inductor.aoti_compile_and_package(program, package_path=request["out"])
    except Exception as e:
        return {"ok": False, "message": "aoti_compile_and_package failed: %s" % str(e).strip().splitlines()[0]}
    t2 = time.perf_counter()
    env = environment()
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
