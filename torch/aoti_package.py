"""
The torch runner's side of the AOTInductor engine (engine:torch-aoti:*, torch_aoti.py):
loads the .pt2 package the request names for a run's precision with torch._inductor.aoti_load_package, once
per process (its batch dimension is dynamic, so one load serves every batch size), and says how long it took.
"""
import time

from torch_timing import report

_loaded = {}


def skip_reason(torch, request, run):
    """Why this run cannot load a package here, as (kind, reason), or None."""
    if not hasattr(getattr(torch, "_inductor", None), "aoti_load_package"):
        return "tool-unavailable", "torch %s has no torch._inductor.aoti_load_package" % torch.__version__
    if not (request.get("aotiPackage") or {}).get(run["precision"]):
        return "no-model", "engine:torch-aoti:%s built no package" % run["precision"]
    return None


class LoadFailed(Exception):
    """aoti_load_package raised: the run is answered as engine-failed with this message."""


def runnable(torch, x, run, request):
    """The package's call on the run's inputs (it holds its own weights, so the runner's module is not used), and
    the settings fields that say how long loading took."""
    path = request["aotiPackage"][run["precision"]]
    if path not in _loaded:
        # Loading takes tens of seconds on a GPU machine: the live line says so while it lasts.
        report(run["id"], event="load-start")
        t0 = time.perf_counter()
        try:
            package = torch._inductor.aoti_load_package(path)
        except Exception as e:
            raise LoadFailed("aoti_load_package failed: %s" % str(e).strip().splitlines()[0]) from e
        _loaded[path] = (package, (time.perf_counter() - t0) * 1000.0)
    package, load_ms = _loaded[path]
    first = lambda y: y[0] if isinstance(y, (list, tuple)) else y  # noqa: E731
    return (lambda: first(package(*x))), {"settings": {"aotiLoadMs": load_ms}}
