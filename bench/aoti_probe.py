#!/usr/bin/env python3
"""
Why does torch._inductor.aoti_load_package crash on the GPU machine's image? Builds a small AOTInductor package
(a conv net with a dynamic batch, as MobileNetV2's was), then loads it in child processes, one per variant
(plain; one OpenMP thread; CUDA initialised first; run_single_threaded; the loader class directly; a
static-batch package), so a segmentation fault is an exit signal on record, not a dead benchmark. For a crash
it also asks cuda-gdb for the native backtrace and ldd for the package's library. JSON lines on stdout.
Usage: aoti_probe.py WORKDIR
"""
import glob
import json
import os
import subprocess
import sys
import time
import zipfile

CHILD = r"""
import os, sys, time, torch
pkg, how = sys.argv[1], sys.argv[2]
if how == "cuda-first":
    torch.cuda.init(); torch.zeros(1, device="cuda")
t0 = time.perf_counter()
if how == "loader-class":
    loader = torch._C._aoti.AOTIModelPackageLoader(pkg, "model", False, 1, -1)
    run = lambda x: loader.boxed_run([x])
elif how == "single-threaded":
    m = torch._inductor.aoti_load_package(pkg, run_single_threaded=True)
    run = lambda x: m(x)
else:
    m = torch._inductor.aoti_load_package(pkg)
    run = lambda x: m(x)
load_s = time.perf_counter() - t0
x = torch.randn(4, 3, 32, 32, device="cuda", dtype=torch.float16)
y = run(x)
torch.cuda.synchronize()
print("OK load %.3f s, output %s" % (load_s, tuple((y[0] if isinstance(y, (list, tuple)) else y).shape)), flush=True)
"""


def emit(**f):
    print(json.dumps(f), flush=True)


def tiny():
    import torch
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3, 2, 1), torch.nn.ReLU6(), torch.nn.Conv2d(32, 32, 3, 1, 1, groups=32),
        torch.nn.ReLU6(), torch.nn.Conv2d(32, 16, 1), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(16, 10)).eval().cuda().half()


def package(work, dynamic):
    import torch
    m = tiny()
    x = torch.randn(4, 3, 32, 32, device="cuda", dtype=torch.float16)
    shapes = {"input": {0: torch.export.Dim("batch", min=1, max=256)}} if dynamic else None
    t0 = time.perf_counter()
    batch = torch.export.Dim("batch", min=1, max=256)
    ep = torch.export.export(m, (x,), dynamic_shapes=({0: batch},) if dynamic else None)
    t1 = time.perf_counter()
    path = os.path.join(work, "tiny-%s.pt2" % ("dynamic" if dynamic else "static"))
    torch._inductor.aoti_compile_and_package(ep, package_path=path)
    emit(step="package", dynamic=dynamic, exportS=t1 - t0, compileS=time.perf_counter() - t1,
         bytes=os.path.getsize(path), shapes=bool(shapes))
    return path


def load(pkg, how, env_extra=None, timeout=120):
    env = dict(os.environ, **(env_extra or {}))
    t0 = time.perf_counter()
    try:
        r = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CHILD, pkg, how], env=env,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        emit(step="load", how=how, env=env_extra or {}, result="timed out after %d s" % timeout)
        return False
    ok = r.returncode == 0
    emit(step="load", how=how, env=env_extra or {}, returncode=r.returncode,
         result=r.stdout.strip().splitlines()[-1] if ok and r.stdout.strip() else "crashed",
         seconds=time.perf_counter() - t0, stderrTail=r.stderr.strip().splitlines()[-12:])
    return ok


def native_trace(pkg, work):
    """cuda-gdb's backtrace of the crash (the image has no gdb) and ldd of the package's shared object."""
    out = {}
    try:
        gdb = ["cuda-gdb", "-batch", "-ex", "run", "-ex", "bt 25", "--args", sys.executable, "-c", CHILD, pkg, "plain"]
        r = subprocess.run(gdb, capture_output=True, text=True, timeout=240)
        out["cudaGdb"] = [l for l in r.stdout.splitlines() if l.startswith("#") or "signal" in l.lower()][-30:]
    except Exception as e:
        out["cudaGdb"] = "not run: %s" % e
    with zipfile.ZipFile(pkg) as z:
        sos = [n for n in z.namelist() if n.endswith(".so")]
        z.extractall(os.path.join(work, "unzipped"))
    for so in sos:
        r = subprocess.run(["ldd", os.path.join(work, "unzipped", so)], capture_output=True, text=True)
        lines = [line.strip() for line in r.stdout.splitlines()]
        keep = lambda line: "not found" in line or "torch" in line or "cuda" in line
        out.setdefault("ldd", {})[so] = [line for line in lines if keep(line)][:20]
    emit(step="native", **out)


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    import torch
    libs = glob.glob(os.path.join(os.path.dirname(torch.__file__), "lib", "*.so*"))
    emit(step="env", torch=torch.__version__, cuda=torch.version.cuda, gpu=torch.cuda.get_device_name(0),
         cxx=os.environ.get("CXX", ""), sosInTorch=len(libs))
    dyn = package(work, True)
    results = {}
    for how, env in [("plain", None), ("plain", {"OMP_NUM_THREADS": "1"}), ("cuda-first", None),
                     ("single-threaded", None), ("loader-class", None)]:
        results[(how, json.dumps(env))] = load(dyn, how, env)
    if not any(results.values()):
        native_trace(dyn, work)
        load(package(work, False), "plain")


if __name__ == "__main__":
    main()
