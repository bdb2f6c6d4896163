"""onnx.checker.check_model(full_check=True) over each model path in argv; one JSON line per model:
{"path": ..., "ok": bool, "error": first line of the checker's message or null}."""
import json
import sys
import onnx

for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        result = {'path': path, 'ok': True, 'error': None}
    except Exception as e:  # the checker raises ValidationError, InferenceError or a decode error
        error = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        result = {'path': path, 'ok': False, 'error': error}
    print(json.dumps(result), flush=True)
