"""onnx.shape_inference.infer_shapes over the model at argv[1]; JSON on stdout: value name → [elem_type,
dims] for every intermediate and output value, a dim being an int, a symbolic name, or null."""
import json
import sys
import onnx

model = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]), strict_mode=True)
out = {}
for v in list(model.graph.value_info) + list(model.graph.output):
    t = v.type.tensor_type
    dims = None
    if t.HasField('shape'):
        dims = [d.dim_value if d.HasField('dim_value') else (d.dim_param or None) for d in t.shape.dim]
    out[v.name] = [t.elem_type, dims]
json.dump(out, sys.stdout)
