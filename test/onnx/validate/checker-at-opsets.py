"""onnx.checker.check_model(full_check=True) over models at their own opset and re-stamped at other opsets.

stdin: {"paths": [...], "opsets": [...]}. stdout: first {"onnx": version}, then one JSON line per model and
opset: {"path", "opset" (null: the model's own), "ok", "error": first line of the checker's message or null}.
Re-stamping sets the version of the default domain's opset import; the nodes are left as they are, so a
model is checked against that opset's versions of its operators, as our validator is.
"""
import json
import sys

import onnx


def verdict(model):
    try:
        onnx.checker.check_model(model, full_check=True)
        return True, None
    except Exception as e:  # ValidationError, InferenceError, or a decode error
        text = str(e).strip()
        return False, text.splitlines()[0] if text else type(e).__name__


def main():
    request = json.load(sys.stdin)
    print(json.dumps({'onnx': onnx.__version__}), flush=True)
    for path in request['paths']:
        model = onnx.load(path)
        imports = [o for o in model.opset_import if o.domain in ('', 'ai.onnx')]
        for opset in [None, *request['opsets']]:
            if opset is not None:
                if len(imports) != 1:
                    continue
                imports[0].version = opset
            ok, error = verdict(model)
            print(json.dumps({'path': path, 'opset': opset, 'ok': ok, 'error': error}))


main()
