"""The installed onnx's operator histories of the domains named in argv: JSON {domain: {op: [[since,
deprecated (1 or 0)], ...]}} with every list sorted."""
import json
import sys
import onnx.defs as defs

out = {d: {} for d in sys.argv[1:]}
for s in defs.get_all_schemas_with_history():
    if s.domain in out:
        out[s.domain].setdefault(s.name, []).append([s.since_version, 1 if s.deprecated else 0])
json.dump({d: {op: sorted(v) for op, v in sorted(ops.items())} for d, ops in out.items()}, sys.stdout, sort_keys=True)
