"""Saves an ONNX model with its weights as external data (Debian's onnx 1.12), for the import tests.

usage: external_data_model.py SRC OUT_DIR [LOCATION]
Writes OUT_DIR/model.onnx and OUT_DIR/weights.data; with LOCATION, the model then names LOCATION instead of
weights.data as every tensor's external data file (to test locations that leave the model's folder).
"""
import os
import sys

import onnx

src, out_dir = sys.argv[1], sys.argv[2]
path = os.path.join(out_dir, 'model.onnx')
onnx.save_model(onnx.load(src), path, save_as_external_data=True, all_tensors_to_one_file=True,
                location='weights.data', size_threshold=1024)
if len(sys.argv) > 3:
    m = onnx.load(path, load_external_data=False)
    for t in m.graph.initializer:
        for entry in t.external_data:
            if entry.key == 'location':
                entry.value = sys.argv[3]
    onnx.save(m, path)
print(sum(1 for t in onnx.load(path, load_external_data=False).graph.initializer if t.data_location == 1))
