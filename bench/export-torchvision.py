"""Exports torchvision's MobileNetV2 with torch.onnx.export (eval mode, constant folding on: the exporter at
its best), optionally with weights given by state_dict name, for bench/optimize.ts.

usage: export-torchvision.py OUT OPSET WIDTH_MULT NUM_CLASSES INPUT_SIZE [WEIGHTS_JSON WEIGHTS_BIN]
WEIGHTS_JSON maps state_dict keys to {"offset": bytes, "dims": [...]} of float32 data in WEIGHTS_BIN.
Prints one JSON line: {"loaded": n, "missing": [...]}.
"""
import json
import sys

import numpy as np
import torch
import torchvision


def main() -> None:
    out, opset, width, classes, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(width_mult=width, num_classes=classes).eval()
    loaded, missing = 0, []
    if len(sys.argv) > 7:
        index = json.load(open(sys.argv[6]))
        blob = open(sys.argv[7], "rb").read()
        state = model.state_dict()
        for key, value in state.items():
            entry = index.get(key)
            if entry is None:
                if value.dtype.is_floating_point:
                    missing.append(key)
                continue
            n = int(np.prod(entry["dims"])) if entry["dims"] else 1
            arr = np.frombuffer(blob, dtype=np.float32, count=n, offset=entry["offset"]).reshape(entry["dims"])
            state[key] = torch.from_numpy(arr.copy()).to(value.dtype).reshape(value.shape)
            loaded += 1
        model.load_state_dict(state)
    x = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, x, out, opset_version=opset, input_names=["input"], output_names=["logits"], do_constant_folding=True)
    print(json.dumps({"loaded": loaded, "missing": missing}))


main()
