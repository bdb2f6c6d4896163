#!/usr/bin/env python3
"""
The yardstick of `make bench-int8`: onnxruntime's own quantize_static on the same float model with the same
calibration inputs (a folder of test_data_set_N/input_0.pb), QDQ format, per-channel int8 weights, uint8
activations, min-max calibration, after onnxruntime's quant_pre_process. Only ever run by the benchmark script.
usage: ort_quantize_static.py MODEL CALIBRATION_DIR OUT
"""
import os
import sys

import onnx
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process


class Folder(CalibrationDataReader):
    def __init__(self, model, folder):
        name = onnx.load(model).graph.input[0].name
        sets = [d for d in os.listdir(folder) if d.startswith("test_data_set_")]
        sets.sort(key=lambda d: int(d.split("_")[-1]))
        read = lambda s: numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, s, "input_0.pb")))
        self.feeds = iter([{name: read(s)} for s in sets])

    def get_next(self):
        return next(self.feeds, None)


model, folder, out = sys.argv[1:4]
pre = out + ".pre.onnx"
quant_pre_process(model, pre, skip_symbolic_shape=True)
quantize_static(pre, out, Folder(pre, folder), quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax)
os.remove(pre)
