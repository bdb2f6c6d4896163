"""Describes ONNX TensorProto files independently of our decoder, for the corpus round-trip test.

stdin: one path per line. stdout: one JSON object per line with dtype, dims, count, sum and head values;
`{"path": p, "kind": "not-a-tensor"}` for files that hold a SequenceProto, MapProto or OptionalProto.
"""
import json
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

for path in sys.stdin.read().split():
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    try:
        a = numpy_helper.to_array(t)
    except (ValueError, TypeError):
        a = None
    # A SequenceProto or MapProto parses as a TensorProto with nonsense fields; numpy_helper tells them apart.
    if t.data_type == TensorProto.UNDEFINED or a is None:
        print(json.dumps({"path": path, "kind": "not-a-tensor"}))
        continue
    entry = {"path": path, "kind": "tensor", "dtype": t.data_type, "dims": list(t.dims)}
    if t.data_type not in (TensorProto.STRING, TensorProto.COMPLEX64, TensorProto.COMPLEX128, TensorProto.BFLOAT16):
        a = a.astype(np.float64).ravel()
        finite = a[np.isfinite(a)]
        entry.update(count=int(a.size), sum=float(finite.sum()),
                     head=[None if not np.isfinite(v) else float(v) for v in a[:8]])
    print(json.dumps(entry))
