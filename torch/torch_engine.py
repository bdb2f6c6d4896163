#!/usr/bin/env python3
"""
Builds the compiled-PyTorch engine: torch.compile of our graph, exactly as the torch runner compiles it for
the benchmark (same module, precision, layout, mode, one compile per batch size after a dynamo reset), in a
fresh inductor cache directory, then torch.compiler.save_cache_artifacts into the engine file
with the C++ libraries inductor compiled (torch/compile_cache.py has the format). A later benchmark that loads
the file starts warm: no kernel is generated or compiled again on a host with the builder's CPU.

One JSON request on stdin, one JSON reply on stdout:
  {"probe": true} -> {"torch": "2.11.0+cu130" | null, "cuda": "13.0" | "none", "triton": "3.6.0" | "none",
                      "python": sys.executable, "depends": [paths whose change may change this answer]}
    read from the installed packages' files without importing torch (seconds on a GPU machine), since every
    run probes, a no-op one too
  {"graph", "weights", "inputs": {"<batch>": [input files, as torch_runner.py reads them]}, "precision",
   "batches", "channelsLast", "compileMode", "tf32", "cudnnBenchmark", "device", "inductorCacheDir", "out"}
  -> {"ok": true, "header": {...}, "compileSeconds": {"<batch>": s}, "bytes": n} | {"ok": false, "message"}
  {"engine": "fused", "graph", "weights", "inputs", "batches", "cudnnBenchmark", "device", "out"}: the torch-fused
    engine's plan instead (fused_engine.py), with the same reply
A broken request exits 1 with the message on stderr.
"""
import importlib.util
import json
import os
import re
import sys
import time


def _package_field(package, filename, name):
    """A string assigned in one of a package's files (`__version__ = '3.6.0'`), read without importing the
    package or scanning every installed distribution's metadata (both cost seconds)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        with open(os.path.join(spec.submodule_search_locations[0], filename)) as f:
            text = f.read()
    except OSError:
        return None
    found = re.search(r"^%s\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]" % name, text, re.M)
    return found.group(1) if found else None


def triton_version():
    return _package_field("triton", "__init__.py", "__version__") or "none"


def _probe_depends():
    """What decides this answer, for the caller to stat on later runs instead of asking again: the interpreter,
    every folder imports search (a package installed or removed changes its folder), the user and site folders
    even where absent (a `pip install --user` creates one), the version files read, and, behind a pyenv shim,
    the files that pick the version (`$PYENV_ROOT/version`, `.python-version` here and in every folder above)."""
    import site
    paths = [sys.executable, os.path.realpath(sys.executable)] + [p for p in sys.path if p]
    paths += list(getattr(site, "getsitepackages", lambda: [])()) + [site.getusersitepackages()]
    for package, filename in (("torch", "version.py"), ("triton", "__init__.py")):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            paths.append(os.path.join(spec.submodule_search_locations[0], filename))
    root = os.environ.get("PYENV_ROOT")
    if root:
        paths.append(os.path.join(root, "version"))
        folder = os.path.abspath(os.environ.get("PYENV_DIR") or os.getcwd())
        while True:
            paths.append(os.path.join(folder, ".python-version"))
            if os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
    return sorted({os.path.abspath(p) for p in paths})


def probe():
    return {"torch": _package_field("torch", "version.py", "__version__"),
            "cuda": _package_field("torch", "version.py", "cuda") or "none", "triton": triton_version(),
            "python": sys.executable, "depends": _probe_depends()}


def build(request):
    import compile_cache
    from torch_runner import environment, placed, read_inputs, torch, torch_major
    if request.get("engine") == "fused":
        import fused_engine
        return fused_engine.build(request, torch, environment, triton_version)
    from torch_graph import build_module
    can_save = torch_major() >= 2 and hasattr(getattr(torch, "compiler", None), "save_cache_artifacts")
    if not can_save:
        return {"ok": False,
                "message": "torch.compiler.save_cache_artifacts needs torch >= 2.7 (found %s)" % torch.__version__}
    compile_cache.isolate(request["inductorCacheDir"])
    cuda = torch.cuda.is_available() and request.get("device", "auto") != "cpu"
    if request["precision"] == "fp16" and not cuda:
        return {"ok": False, "message": "an FP16 engine needs CUDA, which torch %s does not see" % torch.__version__}
    device = torch.device("cuda" if cuda else "cpu")
    if cuda:
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = bool(request.get("tf32", False))
        torch.backends.cudnn.benchmark = bool(request.get("cudnnBenchmark", True))
    base = build_module(request)
    if isinstance(base, dict):
        return base
    inputs = read_inputs(request, base.input_names)
    mode = request.get("compileMode") or ""
    seconds = {}
    for batch in request["batches"]:
        # The runner's own placement of the module and the benchmark's inputs: precision, layout, device.
        run = {"mode": "compile", "precision": request["precision"], "channelsLast": request.get("channelsLast"),
               "batch": batch}
        module, x, _ = placed(base, run, device, inputs)
        torch._dynamo.reset()
        with torch.no_grad():
            compiled = torch.compile(module, **({"mode": mode} if mode else {}))
            t0 = time.perf_counter()
            try:
                compiled(*x)
            except Exception as e:
                said = str(e).splitlines()[0]
                return {"ok": False, "message": "torch.compile failed at batch %d: %s" % (batch, said)}
            if cuda:
                torch.cuda.synchronize()
            seconds[str(batch)] = time.perf_counter() - t0
    saved = torch.compiler.save_cache_artifacts()
    if not saved or not saved[0]:
        return {"ok": False, "message": "torch.compiler.save_cache_artifacts returned nothing to store"}
    header = compile_cache.identity(torch, request["precision"], request.get("channelsLast"), mode)
    header.update(batches=request["batches"], triton=triton_version(), compileSeconds=seconds,
                  computeCapability=environment().get("computeCapability", "none"))
    binaries = compile_cache.collect_binaries(request["inductorCacheDir"])
    header = compile_cache.write(request["out"], header, saved[0], binaries)
    return {"ok": True, "header": header, "compileSeconds": seconds, "bytes": os.path.getsize(request["out"])}


def main():
    try:
        request = json.load(sys.stdin)
    except ValueError as e:
        sys.stderr.write("the request on stdin is not JSON: %s\n" % e)
        sys.exit(1)
    reply = probe() if request.get("probe") else build(request)
    print(json.dumps(reply))


if __name__ == "__main__":
    main()
