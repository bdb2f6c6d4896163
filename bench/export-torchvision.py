"""Exports torchvision's MobileNetV2 with torch.onnx.export (eval mode, constant folding on: the exporter at
its best) carrying the weights of one of our ONNX files, whose initializers are named by state_dict key
(stages/build), for bench/optimize.ts.

usage: export-torchvision.py OUT OPSET WIDTH_MULT NUM_CLASSES INPUT_SIZE OURS.onnx
Prints one JSON line: {"loaded": n}.
"""
import json
import sys

import onnx
import torch
import torchvision
from onnx import numpy_helper


def main() -> None:
    out, opset, width, classes, size, ours = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    model = torchvision.models.mobilenet_v2(width_mult=width, num_classes=classes).eval()
    state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(ours).graph.initializer}
    # BatchNorm's step counter is a state_dict entry but no ONNX input; it does not affect inference.
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = value
    model.load_state_dict(state, strict=True)
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, x, out, opset_version=opset, input_names=["input"], output_names=["output"], do_constant_folding=True)
    print(json.dumps({"loaded": len(state)}))


main()
