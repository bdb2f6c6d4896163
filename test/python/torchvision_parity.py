"""Runs torchvision's MobileNetV2 with the weights of one of our ONNX files and compares with our output.

argv: model.onnx input.bin ours.bin width_mult num_classes batch input_size
Prints one JSON line: {"rel_l2": ..., "max_abs": ..., "ref_norm": ...}.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stages" / "build"))
from torchvision_weights import torchvision_with_our_weights  # noqa: E402

model_path, input_path, ours_path = sys.argv[1:4]
width_mult, num_classes, batch, size = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])

net, _ = torchvision_with_our_weights(model_path, width_mult, num_classes)

x = torch.from_numpy(np.fromfile(input_path, dtype=np.float32).reshape(batch, 3, size, size))
with torch.no_grad():
    ref = net(x).double().numpy().ravel()
ours = np.fromfile(ours_path, dtype=np.float32).astype(np.float64)
print(json.dumps({
    "rel_l2": float(np.linalg.norm(ours - ref) / np.linalg.norm(ref)),
    "max_abs": float(np.abs(ours - ref).max()),
    "ref_norm": float(np.linalg.norm(ref)),
}))
