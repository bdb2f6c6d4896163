"""For each model path in argv, the reference's count of its nodes: every node, those inside graph-valued
attributes (If/Loop/Scan bodies, at any depth), and how many such graphs. One JSON line per model."""
import json
import sys
import onnx


def walk(graph, nested, count):
    count['total'] += len(graph.node)
    if nested:
        count['inSubgraphs'] += len(graph.node)
    for node in graph.node:
        for a in node.attribute:
            bodies = [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)
            count['subgraphs'] += len(bodies)
            for g in bodies:
                walk(g, True, count)


for path in sys.argv[1:]:
    count = {'total': 0, 'inSubgraphs': 0, 'subgraphs': 0}
    walk(onnx.load(path).graph, False, count)
    print(json.dumps({'path': path, **count}), flush=True)
