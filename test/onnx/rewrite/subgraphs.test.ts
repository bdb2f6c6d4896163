import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType, type Attribute, type Graph, type Model, type Node } from '../../../onnx/ir.js';
import { runPasses, runPassesYielding } from '../../../onnx/rewrite/pass-manager.js';
import { bodies, countNodes } from '../../../onnx/rewrite/subgraphs.js';
import { encodeGraphProto, encodeModel } from '../../../onnx/serde.js';
import { compareOutputs, runDisabled, seededFeeds } from '../../../onnx/numeric-check.js';
import { defaultPasses, passesByName } from '../../../stages/optimize/passes/index.js';
import { scaleModel } from '../../../bench/scale-graph.js';
import { floats, int64s as ints, model, node, vi } from '../model-kit.js';

const GRAPH = 5;
const body = (name: string, g: Partial<Graph> & Pick<Graph, 'nodes'>): Attribute => ({
  name,
  value: { kind: 'opaque', value: { name, type: GRAPH, g: encodeGraphProto({ ...empty(name), ...g }) } },
});
const empty = (name: string): Graph => ({ name, inputs: [], valueInfo: [], initializers: [], outputs: [], nodes: [] });

/**
 * y = If(sum(x) > 0) then Dropout(Identity(a)) + k else a · k, with a = Identity(x) read by both bodies and k an
 * outer initializer: the then-body has two nodes to remove, and `a` must keep its name.
 */
function ifModel(): Model {
  const out = (n: string) => [vi(n, DType.FLOAT, [2, 3])];
  return model({
    inputs: [vi('x', DType.FLOAT, [2, 3])],
    outputs: [vi('y', DType.FLOAT, [2, 3])],
    initializers: [floats('k', [3])],
    nodes: [
      node('Constant', [], ['zero'], { value: floats('', [], [0]) }),
      node('ReduceSum', ['x'], ['s'], { keepdims: 0 }),
      node('Greater', ['s', 'zero'], ['cond']),
      node('Identity', ['x'], ['a']),
      {
        ...node('If', ['cond'], ['y']),
        attributes: [
          body('then_branch', {
            outputs: out('t'),
            nodes: [node('Identity', ['a'], ['b']), node('Dropout', ['b'], ['d']), node('Add', ['d', 'k'], ['t'])],
          }),
          body('else_branch', { outputs: out('e'), nodes: [node('Mul', ['a', 'k'], ['e'])] }),
        ],
      },
    ],
  });
}

async function outputsAgree(before: Model, after: Model): Promise<number> {
  const feeds = seededFeeds(before, 3, 1);
  assert.ok(feeds.ok);
  const ref = await runDisabled(encodeModel(before), feeds.value);
  const got = await runDisabled(encodeModel(after), feeds.value);
  assert.ok(ref.ok && got.ok, `${ref.ok ? '' : ref.error} ${got.ok ? '' : got.error}`);
  return compareOutputs(got.value, ref.value).worstRelL2;
}

test('the passes rewrite inside If bodies and keep the outer value a body reads', async () => {
  const before = ifModel();
  const run = runPasses(before, await passesByName(defaultPasses));
  const after = run.model;
  const ifNode = after.graph.nodes.find((n) => n.opType === 'If');
  assert.ok(ifNode);
  const [then, otherwise] = bodies(ifNode);
  const thenNodes = then?.nodes.map((n) => [n.opType, ...n.inputs]);
  assert.deepEqual(thenNodes, [['Add', 'a', 'k']], 'Identity and Dropout are gone from the then-body');
  assert.deepEqual(
    otherwise?.nodes.map((n) => n.opType),
    ['Mul'],
  );
  const outer = after.graph.nodes.map((n) => n.opType);
  assert.deepEqual(outer, ['ReduceSum', 'Greater', 'Identity', 'If'], 'the Identity a body reads stays');
  assert.deepEqual([countNodes(before.graph), countNodes(after.graph)], [9, 6]);
  const identity = run.steps.find((s) => s.pass === 'eliminate-identity' && s.rules?.declined['identity-to-input']);
  assert.match(identity?.rules?.declined['identity-to-input'] ?? '', /a subgraph reads its output/);
  assert.ok((await outputsAgree(before, after)) <= 1e-6);
});

test('remove-dead keeps an outer initializer that only a body reads, and drops one nobody reads', async () => {
  const m = ifModel();
  m.graph.initializers.push(floats('unused', [3]));
  const after = runPasses(m, await passesByName(['remove-dead'])).model;
  assert.deepEqual(
    after.graph.initializers.map((t) => t.name),
    ['k'],
  );
});

test('the synthetic scale model optimizes to Conv, Clip, Add per block and computes the same', async () => {
  const before = scaleModel(220);
  const after = runPasses(before, await passesByName(defaultPasses)).model;
  assert.equal(before.graph.nodes.length, 221);
  assert.deepEqual([...new Set(after.graph.nodes.map((n) => n.opType))].sort(), ['Add', 'Clip', 'Conv']);
  assert.equal(after.graph.nodes.length, 60);
  assert.ok((await outputsAgree(before, after)) <= 1e-5);
});

test('an aborted signal stops the pass list with its reason, not as a pass failure', async () => {
  const controller = new AbortController();
  const reason = new Error('interrupted');
  const run = runPassesYielding(scaleModel(20_000), await passesByName(defaultPasses), { signal: controller.signal });
  setImmediate(() => controller.abort(reason));
  await assert.rejects(run, (e) => e === reason);
});

test('inside a body, rules see the types inference gives it: a no-op Reshape of an outer value goes', async () => {
  const m = ifModel();
  const ifNode = m.graph.nodes.find((n) => n.opType === 'If');
  assert.ok(ifNode);
  // The else-body reshapes `a` (an outer value, [2, 3]) to [2, 3]: only inference knows that shape there.
  ifNode.attributes = [
    ifNode.attributes[0] as Attribute,
    body('else_branch', {
      outputs: [vi('e', DType.FLOAT, [2, 3])],
      initializers: [ints('shape', [2, 3])],
      nodes: [node('Reshape', ['a', 'shape'], ['r']), node('Mul', ['r', 'k'], ['e'])],
    }),
  ];
  const after = runPasses(m, await passesByName(defaultPasses)).model;
  const otherwise = bodies(after.graph.nodes.find((n) => n.opType === 'If') as Node)[1];
  assert.deepEqual(
    otherwise?.nodes.map((n) => [n.opType, ...n.inputs]),
    [['Mul', 'a', 'k']],
  );
});
