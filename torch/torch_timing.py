"""
How the torch runner times a call: per-call latency samples under a run count and a wall-clock budget (CUDA
events on the GPU, perf_counter on the CPU), progress lines for the Node side while it samples, and one call
captured as a CUDA graph; and the GPU time of a call as the fused kernel's tuning measures it (graph_ms).
"""
import json
import math
import sys
import time

import torch


def report(run_id, **fields):
    """A progress line for the Node side (torch-runner.ts), which shows it while the run goes on."""
    if run_id is None:
        return
    sys.stderr.write("@progress %s\n" % json.dumps(dict(id=run_id, **fields)))
    sys.stderr.flush()


def sampled(fn, budget, cuda, run_id, phase):
    """Per-call latency in ms until budget["runs"] calls or budget["maxSeconds"] of wall time, whichever comes
    first, but never fewer than budget["minSamples"] calls. On the GPU, CUDA events recorded on the stream
    around each call, read back after a synchronize every CHUNK calls (the wall clock for the time limit is
    read there too, so the events' timing is not disturbed); on the CPU, perf_counter around each call.
    Returns (samples, stopped_by, seconds)."""
    runs, limit, floor = budget["runs"], budget["maxSeconds"], min(budget["minSamples"], budget["runs"])
    samples = []
    started = last_report = time.perf_counter()
    stopped_by = "runs"
    chunk = 10 if cuda else 1
    while len(samples) < runs:
        n = min(chunk, runs - len(samples))
        if cuda:
            starts = [torch.cuda.Event(enable_timing=True) for _ in range(n)]
            ends = [torch.cuda.Event(enable_timing=True) for _ in range(n)]
            for i in range(n):
                starts[i].record()
                fn()
                ends[i].record()
            torch.cuda.synchronize()
            samples.extend(s.elapsed_time(e) for s, e in zip(starts, ends))
        else:
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000.0)
        now = time.perf_counter()
        if now - last_report >= 0.5:
            report(run_id, phase=phase, n=len(samples), total=runs, elapsedMs=(now - started) * 1000.0)
            last_report = now
        if len(samples) < runs and now - started >= limit and len(samples) >= floor:
            stopped_by = "max_seconds"
            break
    return samples, stopped_by, time.perf_counter() - started


def timed(fn, iterations, cuda):
    """Exactly `iterations` samples, no time limit (bench/torchvision_ref.py compares like with like)."""
    return sampled(fn, {"runs": iterations, "maxSeconds": math.inf, "minSamples": iterations}, cuda, None, None)[0]


def cuda_graph(module, *x):
    """One call of module on x captured as a CUDA graph (after warm-up on a side stream, as capture requires);
    returns a replay that yields the captured output."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            module(*x)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = module(*x)
    return lambda: (graph.replay(), static_out)[1]


def graph_ms(fn, reps=10):
    """GPU time of one call, from a CUDA graph of `reps` calls (no host launch cost, which at batch 1 would
    otherwise be most of what a single timed call shows)."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        fn()
    torch.cuda.current_stream().wait_stream(side)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(reps):
            fn()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    best = float("inf")
    for _ in range(3):
        start.record()
        g.replay()
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end) / reps)
    del g
    return best
