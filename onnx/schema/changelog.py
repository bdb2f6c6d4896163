"""Operator versions from onnx's docs/Changelog.md (docs/Changelog-ml.md for ai.onnx.ml), the rendering of
its schemas that onnx's gen_doc.py writes: for the versions an installed onnx is too old to know.
generate-table.py checks this reading against the installed onnx on every version both have (--check).
Attribute defaults are not read (the docs render them for people; nothing in the table's users needs them)."""
import html
import re

HEADING = re.compile(r'^### <a name="(?:(?P<domain>ai\.onnx\.ml)\.)?(?P<op>\w+)-(?P<since>\d+)"></a>'
                     r'\*\*[^*]+\*\*(?:</a>)?(?P<rest>.*)$')
SECTION = re.compile(r'^#### (?P<name>Version|Attributes|Inputs|Outputs|Type Constraints)'
                     r'(?: \((?P<lo>\d+) - (?P<hi>\d+|&#8734;)\))?')
ENTRY = re.compile(r'^<dt><tt>(?P<name>[^<]+)</tt>(?: \((?P<flags>[^)]*)\))? : (?P<type>.*?)</dt>$')
ATTR_TYPES = {
    'float': 'float', 'int': 'int', 'string': 'string', 'tensor': 'tensor', 'graph': 'graph',
    'sparse_tensor': 'sparse_tensor', 'type_proto': 'type_proto', 'list of floats': 'floats', 'list of ints': 'ints',
    'list of strings': 'strings', 'list of tensors': 'tensors', 'list of graphs': 'graphs',
    'list of sparse_tensors': 'sparse_tensors', 'list of type_protos': 'type_protos',
}
INFINITE = 2**31 - 1


def split_types(text):
    """`tensor(float), map(int64, float)` → the two type strings (commas inside parentheses do not split)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += (c == '(') - (c == ')')
        if c == ',' and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return parts + [text[start:].strip()]


def attribute(name, text):
    required = text.endswith('(required)')
    kind = re.sub(r'\s*\((required|default is .*)\)$', '', text).strip()
    return {'name': name, 'type': ATTR_TYPES[kind], 'required': required}


def param(name, flags, type_str):
    words = [w.strip() for w in (flags or '').split(',')]
    kind = 'variadic' if 'variadic' in words else 'optional' if 'optional' in words else 'single'
    heterogeneous = {'heterogeneous': True} if 'heterogeneous' in words else {}
    return {'name': name, 'kind': kind, 'type': type_str.strip(), **heterogeneous}


def counts(section, params):
    if section['lo'] is not None:
        hi = section['hi']
        return int(section['lo']), INFINITE if hi == '&#8734;' else int(hi)
    return len(params), len(params)


def finish(v):
    if v is None:
        return None
    entry, sections = v
    entry['minInputs'], entry['maxInputs'] = counts(sections.get('Inputs', {'lo': None}), entry['inputs'])
    entry['minOutputs'], entry['maxOutputs'] = counts(sections.get('Outputs', {'lo': None}), entry['outputs'])
    entry['attributes'].sort(key=lambda a: a['name'])
    entry['types'] = dict(sorted(entry['types'].items()))
    return entry


def read(path):
    """(domain, op) → since → a version in generate-table.py's form (without attribute defaults)."""
    out = {}
    current = None
    section = None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        m = HEADING.match(line)
        if m:
            done = finish(current)
            if done:
                out.setdefault(current_key, {})[done['since']] = done
            current_key = (m['domain'] or '', m['op'])
            entry = {'since': int(m['since']), **({'deprecated': True} if '(deprecated)' in m['rest'] else {}),
                     'inputs': [], 'outputs': [], 'attributes': [], 'types': {}}
            current = (entry, {})
            section = None
            continue
        if current is None:
            continue
        s = SECTION.match(line)
        if s:
            section = s['name']
            current[1][section] = {'lo': s['lo'], 'hi': s['hi']}
            continue
        if line.startswith('## '):
            section = None
            continue
        e = ENTRY.match(line)
        if not e or section is None:
            continue
        name, flags, type_text = html.unescape(e['name']), e['flags'], html.unescape(e['type'])
        entry = current[0]
        if section == 'Attributes':
            entry['attributes'].append(attribute(name, type_text))
        elif section in ('Inputs', 'Outputs'):
            entry[section.lower()].append(param(name, flags, type_text))
        elif section == 'Type Constraints':
            entry['types'][name] = sorted(split_types(type_text))
    done = finish(current)
    if done:
        out.setdefault(current_key, {})[done['since']] = done
    return out
