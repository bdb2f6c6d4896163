"""Exports torchvision's MobileNetV2 with torch.onnx.export (eval mode, constant folding on: the exporter at
its best) carrying the weights of one of our ONNX files, whose initializers are named by state_dict key
(stages/build), for bench/optimize.ts.

usage: export-torchvision.py OUT OPSET WIDTH_MULT NUM_CLASSES INPUT_SIZE OURS.onnx
Prints one JSON line: {"loaded": n}.
"""
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages" / "build"))
from torchvision_weights import torchvision_with_our_weights  # noqa: E402


def main() -> None:
    out, opset, width = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    classes, size, ours = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    model, loaded = torchvision_with_our_weights(ours, width, classes)
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, x, out, opset_version=opset, input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    print(json.dumps({"loaded": loaded}))


main()
