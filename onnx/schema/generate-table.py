"""Writes onnx/schema/table.ts from the operator schemas of the installed onnx package: every operator of the
default domain, every version up to opset MAX_OPSET, plus the names and version histories of the other domains
whose unknown operators onnx.checker refuses (ai.onnx.ml, and ai.onnx.training, which has none).

  python3 onnx/schema/generate-table.py > onnx/schema/table.ts                  # onnx >= 1.16 knows opset 21
  python3 onnx/schema/generate-table.py --docs ONNX_CHECKOUT > onnx/schema/table.ts

With --docs, the versions the installed onnx is too old to know come from that onnx source checkout's
docs/Changelog.md and docs/Changelog-ml.md (changelog.py reads them); every version both know must agree,
or nothing is written. The committed table is Debian's onnx 1.12 (opsets up to 17) completed from onnx 1.23's
docs (opsets 18 to 21); test/onnx/schema/table.test.ts checks it against onnx 1.12 for opsets up to 17 and
against a digest of the rest. Generated rather than typed in so that every since_version, input and attribute
is the reference's own. The output depends only on its sources: every list and mapping is written sorted."""
import argparse
import json
import os
import sys
import onnx
import onnx.defs as defs
import changelog

MAX_OPSET = 21
# The other domains onnx.checker refuses unknown operators of, with their versions that go with opset 21 (onnx
# 1.16). ai.onnx.preview.training is not one: the checker passes its unknown operators.
DOMAIN_MAX = {'ai.onnx.ml': 4, 'ai.onnx.training': 1}

KIND = {
    defs.OpSchema.FormalParameterOption.Single: 'single',
    defs.OpSchema.FormalParameterOption.Optional: 'optional',
    defs.OpSchema.FormalParameterOption.Variadic: 'variadic',
}
ATTR = {
    defs.OpSchema.AttrType.FLOAT: 'float', defs.OpSchema.AttrType.INT: 'int', defs.OpSchema.AttrType.STRING: 'string',
    defs.OpSchema.AttrType.TENSOR: 'tensor', defs.OpSchema.AttrType.GRAPH: 'graph',
    defs.OpSchema.AttrType.SPARSE_TENSOR: 'sparse_tensor', defs.OpSchema.AttrType.TYPE_PROTO: 'type_proto',
    defs.OpSchema.AttrType.FLOATS: 'floats', defs.OpSchema.AttrType.INTS: 'ints',
    defs.OpSchema.AttrType.STRINGS: 'strings', defs.OpSchema.AttrType.TENSORS: 'tensors',
    defs.OpSchema.AttrType.GRAPHS: 'graphs', defs.OpSchema.AttrType.SPARSE_TENSORS: 'sparse_tensors',
    defs.OpSchema.AttrType.TYPE_PROTOS: 'type_protos',
}
SCALAR_DEFAULTS = (int, float, str, bytes)


def default(a):
    """A scalar or list default; tensor, graph and type defaults are left out (no operator up to 21 has one)."""
    d = a.default_value
    if not d.name:
        return None
    v = onnx.helper.get_attribute_value(d)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, SCALAR_DEFAULTS):
        return v
    if isinstance(v, (list, tuple)) and all(isinstance(x, SCALAR_DEFAULTS) for x in v):
        return [x.decode() if isinstance(x, bytes) else x for x in v]
    return None


def params(ps):
    # onnx 1.16 renamed typeStr and isHomogeneous to type_str and is_homogeneous.
    def field(p, old, new):
        return getattr(p, new) if hasattr(p, new) else getattr(p, old)
    return [{'name': p.name, 'kind': KIND[p.option], 'type': field(p, 'typeStr', 'type_str'),
             **({} if field(p, 'isHomogeneous', 'is_homogeneous') else {'heterogeneous': True})} for p in ps]


def version(s):
    attrs = []
    for name in sorted(s.attributes):
        a = s.attributes[name]
        entry = {'name': name, 'type': ATTR[a.type], 'required': a.required}
        dv = default(a)
        if dv is not None:
            entry['default'] = dv
        attrs.append(entry)
    return {
        'since': s.since_version,
        **({'deprecated': True} if s.deprecated else {}),
        'inputs': params(s.inputs), 'outputs': params(s.outputs),
        'minInputs': s.min_input, 'maxInputs': min(s.max_input, 2**31 - 1),
        'minOutputs': s.min_output, 'maxOutputs': min(s.max_output, 2**31 - 1),
        'attributes': attrs,
        'types': {t.type_param_str: sorted(t.allowed_type_strs)
                  for t in sorted(s.type_constraints, key=lambda t: t.type_param_str)},
    }


LIMIT = {'': MAX_OPSET, **DOMAIN_MAX}


def installed():
    """Domain → operator → since_version → version, for every schema of the installed onnx within LIMIT."""
    out = {domain: {} for domain in LIMIT}
    for s in defs.get_all_schemas_with_history():
        domain = '' if s.domain == 'ai.onnx' else s.domain
        if domain in LIMIT and s.since_version <= LIMIT[domain]:
            out[domain].setdefault(s.name, {})[s.since_version] = version(s)
    return out


def without_defaults(v):
    return {**v, 'attributes': [{k: x for k, x in a.items() if k != 'default'} for a in v['attributes']]}


def complete(have, docs_dir):
    """Adds the versions `have` lacks from the docs. Where both define a version the installed onnx is kept:
    newer onnx revised a few old versions (Erf-13's types, GridSample-16's type parameters), and the table
    agrees with the installed checker. Returns the docs' onnx version, how many versions agree, which differ."""
    docs = {}
    for name in ('Changelog.md', 'Changelog-ml.md'):
        docs.update(changelog.read(os.path.join(docs_dir, 'docs', name)))
    revised, both = [], 0
    for (domain, op), versions in sorted(docs.items()):
        for since, v in sorted(versions.items()):
            if domain not in LIMIT or since > LIMIT[domain]:
                continue
            known = have[domain].get(op, {}).get(since)
            if known is None:
                have[domain].setdefault(op, {})[since] = v
            elif known.get('deprecated') and v.get('deprecated') or without_defaults(known) == v:
                both += 1
            else:
                revised.append(f'{domain or "ai.onnx"}::{op}-{since}')
    with open(os.path.join(docs_dir, 'VERSION_NUMBER')) as f:
        return f.read().strip(), both, revised


def emit(out, table, known, source):
    out.write('// Generated by onnx/schema/generate-table.py; do not edit by hand. Sources:\n')
    for line in source:
        out.write(f'// {line}\n')
    out.write("import type { OpTable } from './types.js';\n\n")
    out.write(f'export const MAX_OPSET = {MAX_OPSET};\n\n')
    out.write('/** Every default-domain operator, each version up to MAX_OPSET. */\n')
    out.write('export const table: OpTable = {\n')
    for op, vs in table.items():
        out.write(f'  {op}: [\n')
        for v in vs:
            out.write('    ' + json.dumps(v, separators=(',', ':')) + ',\n')
        out.write('  ],\n')
    out.write('};\n\n')
    out.write('/** Domain → operator → [since_version, deprecated (1) or not (0)], for the other domains\n')
    out.write(' * onnx.checker knows: an operator missing there is an error, one present is unchecked. */\n')
    out.write('type History = readonly (readonly [number, number])[];\n')
    out.write('export const knownOps: Readonly<Record<string, Readonly<Record<string, History>>>> = {\n')
    for domain, ops in known.items():
        out.write(f'  {json.dumps(domain)}: {{\n')
        for op, vs in ops.items():
            out.write(f'    {op}: {json.dumps(vs, separators=(",", ":"))},\n')
        out.write('  },\n')
    out.write('};\n')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--docs', help='an onnx source checkout whose docs/Changelog*.md complete the installed onnx')
    args = parser.parse_args()
    have = installed()
    source = [f'- the installed onnx {onnx.__version__};']
    if args.docs:
        docs_version, both, revised = complete(have, args.docs)
        source += [f'- for the versions it lacks, the docs of onnx {docs_version}. Both define {both + len(revised)}'
                   f' versions and agree on {both};',
                   f'  onnx {docs_version} revised {len(revised)}, kept as onnx {onnx.__version__} has them:'
                   f' {", ".join(revised)}.']
    default_ops = have.pop('')
    table = {op: [v for _, v in sorted(vs.items())] for op, vs in sorted(default_ops.items())}
    known = {domain: {op: [[since, 1 if v.get('deprecated') else 0] for since, v in sorted(vs.items())]
                      for op, vs in sorted(ops.items())}
             for domain, ops in sorted(have.items())}
    emit(sys.stdout, table, known, source)


main()
