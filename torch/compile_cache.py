"""
The compiled-PyTorch engine file: torch.compile's portable cache artifacts (the bytes that
torch.compiler.save_cache_artifacts returns) and the native code inductor compiled for them, behind a one-line
JSON header that says what made them.

    EFTC1\n<header JSON>\n<artifacts><binary 1><binary 2>...

The artifacts hold inductor's generated code but not the shared libraries g++ made of it: on the CPU a start
from the artifacts alone still compiles every C++ kernel again (16 s of 19 for MobileNetV2 on 2 cores). So the
build also ships those libraries (`binaries`: their paths in inductor's cache directory and sizes), and a
loader on a host with the same CPU puts them back where inductor looks before compiling; a host with another CPU
compiles them itself (they are built for the builder's CPU: -march=native).

The header names the torch, Triton and CUDA builds, the GPU, the precision, batch sizes, layout and compile
mode, the builder's CPU, and the payload's sha256, so a loader can refuse a file that is cut short, altered, or
made by another torch, with a reason instead of a crash inside torch. Needs only the standard library to read
and check.
"""
import hashlib
import json
import os
import platform
import time

MAGIC = b"EFTC1\n"


def write(path, header, artifacts, binaries=()):
    """`binaries`: (path relative to inductor's cache directory, bytes) of each compiled library to ship."""
    payload = artifacts + b"".join(data for _, data in binaries)
    header = dict(header, artifactBytes=len(artifacts), binaries=[[rel, len(data)] for rel, data in binaries],
                  host=host_cpu(), payloadBytes=len(payload), payloadSha256=hashlib.sha256(payload).hexdigest())
    with open(path, "wb") as f:
        f.write(MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload)
    return header


def read(path):
    """(header, payload) or (None, reason): never raises for a bad file."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        return None, "cannot read %s: %s" % (path, e.strerror or e)
    if not blob.startswith(MAGIC):
        return None, "%s is not a compiled-engine file (no EFTC1 header)" % os.path.basename(path)
    end = blob.find(b"\n", len(MAGIC))
    try:
        header = json.loads(blob[len(MAGIC):end].decode()) if end > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict):
        return None, "%s has an unreadable header" % os.path.basename(path)
    payload = blob[end + 1:]
    if len(payload) != header.get("payloadBytes") or hashlib.sha256(payload).hexdigest() != header.get("payloadSha256"):
        return None, "%s is damaged: its payload does not match the sha256 in its header (%d of %s bytes)" % (
            os.path.basename(path), len(payload), header.get("payloadBytes"))
    return header, payload


def host_cpu():
    """The CPU the compiled libraries were made for: its model and a digest of its instruction-set flags."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    model = fields.get("model name") or platform.machine()
    flags = " ".join(sorted((fields.get("flags") or fields.get("Features") or "").split()))
    return "%s (flags %s)" % (model, hashlib.sha256(flags.encode()).hexdigest()[:12])


def collect_binaries(directory):
    """Every shared library inductor compiled into its cache `directory` (Triton's are in the artifacts)."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if os.path.join(root, d) != os.path.join(directory, "triton"))
        for name in sorted(files):
            if name.endswith(".so"):
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    found.append((os.path.relpath(full, directory), f.read()))
    return found


def unpack_binaries(header, payload, directory):
    """Writes the shipped libraries under `directory`; (count, None) or (0, reason they were not used)."""
    listed = header.get("binaries") or []
    if not listed:
        return 0, "the engine ships no compiled libraries"
    here = host_cpu()
    if header.get("host") != here:
        return 0, "built on %s, this host is %s: compiling them here" % (header.get("host"), here)
    inside = os.path.join(os.path.normpath(directory), "")
    targets = [os.path.normpath(os.path.join(directory, rel)) for rel, _ in listed]
    for (rel, _), target in zip(listed, targets):
        if os.path.isabs(rel) or not target.startswith(inside):
            return 0, "the engine names a library outside the cache directory (%s): none used" % rel
    offset = header.get("artifactBytes", 0)
    for (_, size), target in zip(listed, targets):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(payload[offset:offset + size])
        offset += size
    return len(listed), None


def mismatch(header, want):
    """The first field whose value differs from what this process would compile with, as a reason."""
    for field, value in want.items():
        if header.get(field) != value:
            return "the engine was built for %s %s, this run has %s" % (field, header.get(field), value)
    return None


def load(torch, path, want):
    """Loads the artifacts into this process's torch.compile caches, and the shipped libraries into inductor's
    cache directory, before compiling. Returns {"compileCache": "loaded", "cacheLoadMs": ..., "compileBinaries":
    n or the reason none were used} or {"compileCache": "<reason it was not used>"}."""
    header, payload = read(path)
    if header is None:
        return {"compileCache": payload}
    why = mismatch(header, want)
    if why:
        return {"compileCache": why}
    loader = getattr(getattr(torch, "compiler", None), "load_cache_artifacts", None)
    if loader is None:
        return {"compileCache": "torch %s has no torch.compiler.load_cache_artifacts" % torch.__version__}
    t0 = time.perf_counter()
    directory = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    shipped, why = unpack_binaries(header, payload, directory) if directory else (0, "no inductor cache directory")
    try:
        loader(payload[:header.get("artifactBytes", len(payload))])
    except Exception as e:
        return {"compileCache": "torch.compiler.load_cache_artifacts refused it: %s" % str(e).splitlines()[0]}
    return {"compileCache": "loaded", "cacheLoadMs": (time.perf_counter() - t0) * 1000.0,
            "compileBinaries": why or shipped, "coldCompileSeconds": header.get("compileSeconds") or {}}


def isolate(directory):
    """Points inductor's and Triton's on-disk caches at a fresh directory, so a compile is warm only through
    the loaded artifacts (not a cache some earlier run left on this machine) and the figure is honest."""
    os.makedirs(directory, exist_ok=True)
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = directory
    os.environ["TRITON_CACHE_DIR"] = os.path.join(directory, "triton")


def identity(torch, precision, channels_last, compile_mode):
    """What a compiled engine must match to be reused: the fields the build writes and the loader checks."""
    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__, "cuda": torch.version.cuda or "none",
        "gpu": torch.cuda.get_device_name(0) if cuda else "none", "precision": precision,
        "channelsLast": bool(channels_last) and cuda, "compileMode": compile_mode or "default",
    }


_loaded = {}


def for_run(torch, request, run):
    """The torch runner's hook before torch.compile: loads the engine built for this run's precision, once per
    process. {} when the request names none; else the settings fields that say what happened."""
    path = (request.get("compileCache") or {}).get(run["precision"])
    if not path:
        return {}
    if path not in _loaded:
        want = identity(torch, run["precision"], run.get("channelsLast"), request.get("compileMode"))
        _loaded[path] = load(torch, path, want)
    said = dict(_loaded[path])
    # The engine build's cold compile of this batch size, beside the warm one the runner is about to time.
    cold = said.pop("coldCompileSeconds", {}).get(str(run.get("batch")))
    return dict(said, coldCompileMs=cold * 1000.0) if cold is not None else said
