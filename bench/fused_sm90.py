#!/usr/bin/env python3
"""
The fused kernel's gather settings (torch/fused_gather.py) built for an H100 (sm_90) on a machine without a
GPU: Triton compiles them for that target and its bundled ptxas assembles them, which is where register
spills show (they cost the kernel most of its speed, and only a GPU run would otherwise reveal them). One JSON
line per block and setting: {"block", "setting", "registers", "spillBytes" (the stack ptxas gave the kernel),
"sharedBytes", "grid", "num_warps"}, or {"error"}. Needs Triton (not the project's Python: see
test/python/fused_gather_check.py); a few seconds a build.
Usage: fused_sm90.py [--batch 256] [--blocks 0-16] [--settings 0,1,2,3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "torch"), HERE]


def build(index, batch, setting):
    """The setting's kernel for the block at this batch size, compiled for sm_90; its resource usage."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from fused_gather import geometry, inverted_residual_gather
    from fused_variants import MOBILENET_V2
    cin, t, cout, stride, side = MOBILENET_V2[index]
    g = geometry((batch, cin, side, side), stride, cout, setting)
    options = {"num_warps": g.pop("num_warps"), "num_stages": g.pop("num_stages")}
    grid, _ = g.pop("grid"), g.pop("tiles")
    constants = dict(g, CIN=cin, CEXP=cin * t, COUT=cout, STRIDE=stride, HAS_EXPAND=t != 1,
                     RESIDUAL=stride == 1 and cin == cout)
    signature = {name: "constexpr" if name in constants else
                 ("*i32" if name == "taps_ptr" else "*fp16") if name.endswith("_ptr") else "i32"
                 for name in inverted_residual_gather.arg_names}
    kernel = triton.compile(ASTSource(inverted_residual_gather, signature, constexprs=constants),
                            target=GPUTarget("cuda", 90, 32), options=options)
    return {"grid": list(grid), "num_warps": options["num_warps"], "sharedBytes": kernel.metadata.shared,
            **usage(kernel.asm["cubin"])}


def usage(cubin):
    """Registers and stack of the kernel, from cuobjdump (shipped with Triton beside ptxas)."""
    import triton
    tool = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin", "cuobjdump")
    with tempfile.NamedTemporaryFile(suffix=".cubin") as f:
        f.write(cubin)
        f.flush()
        out = subprocess.run([tool, "--dump-resource-usage", f.name], capture_output=True, text=True).stdout
    fields = dict(part.split(":", 1) for line in out.splitlines() if "REG:" in line for part in line.split())
    return {"registers": int(fields["REG"]), "spillBytes": int(fields["STACK"])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--blocks", default="0-16")
    ap.add_argument("--settings", default="0,1,2,3")
    args = ap.parse_args()
    from fused_gather import GATHER_SETTINGS
    lo, _, hi = args.blocks.partition("-")
    for index in range(int(lo), int(hi or lo) + 1):
        for i in [int(s) for s in args.settings.split(",")]:
            row = {"block": index, "setting": i}
            try:
                row.update(build(index, args.batch, GATHER_SETTINGS[i]))
            except Exception as e:  # one setting that does not build is a row; the others go on
                row["error"] = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
