"""INT8 yardstick for the task metric until the quantize stage lands: onnxruntime's own static quantization
(QDQ, per-channel int8 weights, int8 activations, min-max calibration) of the OCR classifier and recognizer,
calibrated on their labelled check data (configs/examples/data/<model>/test_data_set_1, one row at a time: the
same rows the task metric then counts, so in-sample). The models are opset 9/10; QDQ with per-channel axes
needs 13, so ONNX's version converter lifts them first.
usage: python3 bench/ort_int8_yardstick.py OUT_DIR   (then: node dist/bench/task-figures.js --yardstick OUT_DIR)
"""

import sys
from pathlib import Path

import onnx
from onnx import numpy_helper, version_converter
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["ppocr_mobile_v2_cls", "ppocr_v4_rec"]


class Rows(CalibrationDataReader):
    def __init__(self, name: str, batch):
        self.rows = iter([{name: batch[i : i + 1]} for i in range(len(batch))])

    def get_next(self):
        return next(self.rows, None)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in MODELS:
        data = ROOT / "configs/examples/data" / name / "test_data_set_1" / "input_0.pb"
        batch = numpy_helper.to_array(onnx.load_tensor(str(data)))
        lifted, prepared = out / f"{name}.op13.onnx", out / f"{name}.pre.onnx"
        model = onnx.load(str(ROOT / ".cache/models" / f"{name}.onnx"))
        onnx.save(version_converter.convert_version(model, 13), str(lifted))
        quant_pre_process(str(lifted), str(prepared))
        quantize_static(
            str(prepared),
            str(out / f"{name}.int8.onnx"),
            Rows(model.graph.input[0].name, batch),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QInt8,
            weight_type=QuantType.QInt8,
        )
        print(f"{name}: {out / f'{name}.int8.onnx'} (calibrated on {len(batch)} rows)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
