"""Runs torchvision's MobileNetV2 with the weights of one of our ONNX files and compares with our output.

argv: model.onnx input.bin ours.bin width_mult num_classes batch input_size
Prints one JSON line: {"rel_l2": ..., "max_abs": ..., "missing": [...], "unexpected": [...]}.
"""
import json
import sys

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper

model_path, input_path, ours_path = sys.argv[1:4]
width_mult, num_classes, batch, size = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])

net = torchvision.models.mobilenet_v2(width_mult=width_mult, num_classes=num_classes).eval()
state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(model_path).graph.initializer}
# BatchNorm's step counter is a state_dict entry but no ONNX input; it does not affect inference.
for key, value in net.state_dict().items():
    if key.endswith("num_batches_tracked"):
        state[key] = value
net.load_state_dict(state, strict=True)

x = torch.from_numpy(np.fromfile(input_path, dtype=np.float32).reshape(batch, 3, size, size))
with torch.no_grad():
    ref = net(x).double().numpy().ravel()
ours = np.fromfile(ours_path, dtype=np.float32).astype(np.float64)
print(json.dumps({
    "rel_l2": float(np.linalg.norm(ours - ref) / np.linalg.norm(ref)),
    "max_abs": float(np.abs(ours - ref).max()),
    "ref_norm": float(np.linalg.norm(ref)),
}))
