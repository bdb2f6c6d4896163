#!/usr/bin/env python3
"""
Drives torch/compile_cache.py through every way an engine file can be unusable, and prints one JSON
object of what the loader said for each (the Node test asserts them). Real torch (Debian's 1.13, which has no
torch.compiler.load_cache_artifacts) where it can; a stand-in with that one function where the behaviour of a
newer torch's loader is the point (it records the bytes it was given, or raises as a refusing torch would).
Usage: compile_cache_check.py WORKDIR
"""
import json
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "torch"))
import torch  # noqa: E402
import compile_cache  # noqa: E402

work = sys.argv[1]
path = lambda name: os.path.join(work, name)
want = compile_cache.identity(torch, "fp32", True, "")
payload = b"\x00portable cache artifacts\xff" * 10
compile_cache.write(path("good.cache"), dict(want, batches=[1, 8]), payload)
blob = open(path("good.cache"), "rb").read()
open(path("truncated.cache"), "wb").write(blob[:-7])
open(path("flipped.cache"), "wb").write(blob[:-1] + b"\x00")
open(path("foreign.cache"), "wb").write(b"PK\x03\x04 a zip, not an engine")
open(path("header.cache"), "wb").write(b"EFTC1\n{not json\n" + payload)
compile_cache.write(path("other-torch.cache"), dict(want, torch="2.11.0+cu130"), payload)
libraries = [("ab/cabc.main.so", b"\x7fELF kernel one"), ("cd/ccd.so", b"\x7fELF kernel two, longer")]
compile_cache.write(path("binaries.cache"), want, payload, libraries)
shipped = compile_cache.read(path("binaries.cache"))[0]
compile_cache.write(path("escape.cache"), want, payload, [("ab/inside.so", b"\x7fELF"), ("../outside.so", b"\x7fELF")])
foreign_cpu = dict(shipped, host="another CPU (flags 000000000000)")


class Torch:
    """torch as a newer build looks to the loader: the real one's identity, plus load_cache_artifacts."""
    def __init__(self, fail=None):
        self.got = []
        self.__version__, self.version, self.cuda = torch.__version__, torch.version, torch.cuda

        def load(data):
            if fail:
                raise RuntimeError(fail)
            self.got.append(data)
        self.compiler = types.SimpleNamespace(load_cache_artifacts=load)


newer = Torch()
refusing = Torch("Unsupported cache artifact version 3\nmore detail")
header, read_back = compile_cache.read(path("good.cache"))
result = {
    "roundTrip": read_back == payload and header["batches"] == [1, 8] and header["payloadBytes"] == len(payload),
    "missing": compile_cache.load(newer, path("absent.cache"), want),
    "truncated": compile_cache.load(newer, path("truncated.cache"), want),
    "flipped": compile_cache.load(newer, path("flipped.cache"), want),
    "foreign": compile_cache.load(newer, path("foreign.cache"), want),
    "header": compile_cache.load(newer, path("header.cache"), want),
    "otherTorch": compile_cache.load(newer, path("other-torch.cache"), want),
    "realTorch": compile_cache.load(torch, path("good.cache"), want),
    "refused": compile_cache.load(refusing, path("good.cache"), want),
    "loaded": compile_cache.load(newer, path("good.cache"), want),
    "loaderGot": [len(b) for b in newer.got],
    "noRequest": compile_cache.for_run(newer, {}, {"precision": "fp32"}),
}

def unpacked(header, name, into):
    """What unpack_binaries says, and the files it left in `into`, with their contents."""
    said = compile_cache.unpack_binaries(header, compile_cache.read(path(name))[1], path(into))
    found = {}
    for root, _, files in os.walk(path(into)):
        for f in files:
            full = os.path.join(root, f)
            found[os.path.relpath(full, path(into))] = open(full, "rb").read().decode()
    return [said[0], said[1], found]


result["binaries"] = unpacked(shipped, "binaries.cache", "cache-a")
result["binariesOtherCpu"] = unpacked(foreign_cpu, "binaries.cache", "cache-b")
result["binariesEscape"] = unpacked(compile_cache.read(path("escape.cache"))[0], "escape.cache", "cache-c")
result["binariesNone"] = unpacked(compile_cache.read(path("good.cache"))[0], "good.cache", "cache-d")
os.makedirs(path("cache-a/triton/xy"))
open(path("cache-a/triton/xy/launcher.so"), "wb").write(b"in the artifacts already")
result["collected"] = [rel for rel, _ in compile_cache.collect_binaries(path("cache-a"))]
os.environ["TORCHINDUCTOR_CACHE_DIR"] = path("cache-e")
result["loadedWithBinaries"] = compile_cache.load(newer, path("binaries.cache"), want)
result["artifactsOnly"] = len(newer.got[-1])
request = {"compileCache": {"fp32": path("good.cache")}, "compileMode": ""}
first = compile_cache.for_run(newer, request, {"precision": "fp32", "channelsLast": True})
again = compile_cache.for_run(newer, request, {"precision": "fp32", "channelsLast": True})
result["forRun"] = [first["compileCache"], again["compileCache"], len(newer.got)]
print(json.dumps(result, sort_keys=True))
