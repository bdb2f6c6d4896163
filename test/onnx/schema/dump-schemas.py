"""For each operator named on stdin (JSON list) and each opset FIRST..LAST (argv, default 7 17), what the
installed onnx.defs says applies: since_version, formal input/output names and kinds, input/output count
bounds, attribute names and required flags, type constraints; or null where the operator does not exist at
that opset. JSON on stdout, keys sorted, so that its sha256 identifies the definitions
(test/onnx/schema/table.test.ts keeps the digest of onnx 1.23's for the opsets Debian's onnx does not know)."""
import json
import sys
import onnx.defs as defs

KIND = {defs.OpSchema.FormalParameterOption.Single: 'single', defs.OpSchema.FormalParameterOption.Optional: 'optional',
        defs.OpSchema.FormalParameterOption.Variadic: 'variadic'}
first, last = (int(a) for a in sys.argv[1:3]) if len(sys.argv) >= 3 else (7, 17)
out = {}
for op in json.load(sys.stdin):
    for opset in range(first, last + 1):
        try:
            s = defs.get_schema(op, opset, '')
        except defs.SchemaError:
            out[f'{op}@{opset}'] = None
            continue
        out[f'{op}@{opset}'] = {
            'since': s.since_version,
            'deprecated': s.deprecated,
            'inputs': [[p.name, KIND[p.option]] for p in s.inputs],
            'outputs': [[p.name, KIND[p.option]] for p in s.outputs],
            'counts': [s.min_input, min(s.max_input, 2**31 - 1), s.min_output, min(s.max_output, 2**31 - 1)],
            'attributes': sorted([name, a.required] for name, a in s.attributes.items()),
            'types': {t.type_param_str: sorted(t.allowed_type_strs) for t in s.type_constraints},
        }
json.dump(out, sys.stdout, sort_keys=True, separators=(',', ':'))
