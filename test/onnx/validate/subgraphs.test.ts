/**
 * If/Loop/Scan bodies: validated with their enclosing graphs' names visible, their own names hiding
 * those, their inputs and outputs counted against the node; every node counted, those inside bodies
 * too. Each case's verdict is also onnx.checker's (full_check), on the same file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Graph, type Model, type Node, type Tensor } from '../../../onnx/ir.js';
import { openSession } from '../../../onnx/ort.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { int64s, model, node, vi } from '../model-kit.js';
import { withBodies } from '../subgraph-kit.js';
import { referenceCheck } from './reference.js';

type Body = Partial<Graph> & Pick<Graph, 'nodes'>;
const f2 = (name: string) => vi(name, DType.FLOAT, [2]);
const boolTrue: Tensor = {
  name: '',
  dtype: DType.BOOL,
  dims: [],
  proto: { dims: [], dataType: DType.BOOL, int32Data: [1] },
};
const bool = (name: string) => node('Constant', [], [name], { value: boolTrue });
const identityBranch: Body = { nodes: [node('Identity', ['x'], ['e0'])], outputs: [f2('e0')] };

/** x → c = true → If(c) with the given branches → y; `after` follows the If. */
function ifModel(then: Body, other: Body = identityBranch, after: Node[] = []): Model {
  const ifNode = withBodies(node('If', ['c'], ['y'], {}, 'the_if'), { then_branch: then, else_branch: other });
  return model({ inputs: [f2('x')], outputs: [f2('y')], nodes: [bool('c'), ifNode, ...after] }, 16);
}

/** A Loop of 3 iterations carrying one float [2] value. */
function loopModel(body: Body): Model {
  const loop = withBodies(node('Loop', ['M', 'cond', 'x'], ['y'], {}, 'the_loop'), { body });
  return model(
    {
      inputs: [f2('x')],
      outputs: [f2('y')],
      initializers: [int64s('M', [3], [])],
      nodes: [bool('cond'), loop],
    },
    16,
  );
}

const relu = (input: string, output: string, name?: string) => node('Relu', [input], [output], {}, name);
const loopTail = [node('Identity', ['c'], ['co']), node('Add', ['x', 'x'], ['vo'])];

const loopIn = [vi('i', DType.INT64, []), vi('c', DType.BOOL, []), f2('v')];
const loopOut = [vi('co', DType.BOOL, []), f2('vo')];

interface Case {
  name: string;
  model: Model;
  expect?: { code: string; graph?: string; message?: RegExp };
  /** onnx 1.12 does not check type constraints inside bodies: onnxruntime, loading the model, is the judge. */
  judge?: 'onnxruntime-load';
}

const cases: Case[] = [
  { name: 'an If branch reading an outer value', model: ifModel({ nodes: [relu('x', 't0')], outputs: [f2('t0')] }) },
  {
    name: 'a branch yielding an outer value directly',
    model: ifModel({ nodes: [], outputs: [f2('x')] }),
  },
  {
    name: 'a Loop body whose inputs hide outer names',
    model: loopModel({
      inputs: [vi('M', DType.INT64, []), vi('c', DType.BOOL, []), f2('x')],
      nodes: loopTail,
      outputs: loopOut,
    }),
  },
  {
    name: 'a branch reading a name nothing defines',
    model: ifModel({ nodes: [relu('nowhere', 't0', 'inner')], outputs: [f2('t0')] }),
    expect: {
      code: 'undefined-input',
      graph: 'the_if.then_branch',
      message: /^in the then_branch of If node 'the_if': node inner \(Relu\) reads 'nowhere'/,
    },
  },
  {
    name: 'a branch reading an outer value defined after the If',
    model: ifModel({ nodes: [relu('late', 't0', 'inner')], outputs: [f2('t0')] }, undefined, [relu('x', 'late')]),
    expect: { code: 'undefined-input', graph: 'the_if.then_branch' },
  },
  {
    name: 'a branch node reassigning an outer value',
    model: ifModel({ nodes: [relu('x', 'c', 'inner')], outputs: [f2('c')] }),
    expect: { code: 'duplicate-output', graph: 'the_if.then_branch', message: /enclosing graph already defines/ },
  },
  {
    name: 'an If branch with an input',
    model: ifModel({ inputs: [f2('q')], nodes: [relu('q', 't0')], outputs: [f2('t0')] }),
    expect: { code: 'body-input-count', message: /^If node the_if: its then_branch has 1 inputs but needs 0/ },
  },
  {
    name: 'an If branch with two outputs for one',
    model: ifModel({ nodes: [relu('x', 't0'), relu('x', 't1')], outputs: [f2('t0'), f2('t1')] }),
    expect: { code: 'body-output-count' },
  },
  {
    name: 'branches of different element types',
    model: ifModel({
      nodes: [node('Cast', ['x'], ['t0'], { to: DType.INT64 })],
      outputs: [vi('t0', DType.INT64, [2])],
    }),
    expect: { code: 'type-mismatch', message: /output 0 is int64 in then_branch but float in else_branch/ },
  },
  {
    name: 'a Loop body with one input too few',
    model: loopModel({ inputs: loopIn.slice(0, 2), nodes: loopTail, outputs: loopOut }),
    expect: { code: 'body-input-count', message: /^Loop node the_loop: its body has 2 inputs but needs 3/ },
  },
  {
    name: 'a Relu on bool inside a Loop body',
    model: loopModel({
      inputs: loopIn,
      nodes: [node('Identity', ['c'], ['co']), relu('c', 'r', 'bad'), node('Add', ['v', 'x'], ['vo'])],
      outputs: loopOut,
    }),
    expect: { code: 'type-not-allowed', graph: 'the_loop.body' },
    judge: 'onnxruntime-load',
  },
];

test('bodies: ours and onnx.checker agree, and ours names the node and the body', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-subgraphs-'));
  const files = cases.map((c, i) => {
    const path = join(dir, `case-${i}.onnx`);
    writeFileSync(path, encodeModel(c.model));
    return path;
  });
  const reference = await referenceCheck(files);
  for (const [i, c] of cases.entries()) {
    const ours = validateModel(c.model);
    const ref = reference.get(files[i]!)!;
    if (!c.expect) {
      assert.deepEqual(ours.errors, [], c.name);
      assert.equal(ref.ok, true, `${c.name}: onnx.checker says ${ref.error}`);
      continue;
    }
    if (c.judge) {
      assert.equal(ref.ok, true, `${c.name}: onnx.checker now rejects it (${ref.error}); drop the onnxruntime judge`);
      await assert.rejects(openSession(files[i]!), `${c.name}: onnxruntime loaded it`);
    } else assert.equal(ref.ok, false, `${c.name}: onnx.checker accepted it`);
    const e = ours.errors[0];
    assert.equal(e?.code, c.expect.code, `${c.name}: ${JSON.stringify(ours.errors)}`);
    if (c.expect.graph) assert.equal(e.graph, c.expect.graph, c.name);
    if (c.expect.message) assert.match(e.message, c.expect.message, c.name);
  }
});

test('nodes inside bodies are counted and checked, nested ones named by their path', () => {
  const contrib = { ...node('FastGelu', ['b0'], ['b1'], {}, 'contrib'), domain: 'com.microsoft' };
  const inner = withBodies(node('If', ['c'], ['t0'], {}, 'inner_if'), {
    then_branch: { nodes: [node('Relu', ['x'], ['a0'])], outputs: [f2('a0')] },
    else_branch: { nodes: [node('Neg', ['x'], ['b0']), contrib], outputs: [f2('b1')] },
  });
  const m = ifModel({ nodes: [inner], outputs: [f2('t0')] });
  m.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  const r = validateModel(m);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.nodes, { total: 7, inSubgraphs: 5, subgraphs: 4, checked: 6, unchecked: 1 });
  const path = 'the_if.then_branch/inner_if.else_branch/contrib';
  assert.deepEqual(r.unchecked, [{ opType: 'FastGelu', domain: 'com.microsoft', nodes: [path] }]);
  m.graph.nodes[1] = withBodies(node('If', ['c'], ['y'], {}, 'the_if'), {
    then_branch: {
      nodes: [
        withBodies(node('If', ['c'], ['t0'], {}, 'inner_if'), {
          then_branch: { nodes: [node('Relu', ['nowhere'], ['a0'], {}, 'deep')], outputs: [f2('a0')] },
          else_branch: { nodes: [], outputs: [f2('x')] },
        }),
      ],
      outputs: [f2('t0')],
    },
    else_branch: { nodes: [], outputs: [f2('x')] },
  });
  const bad = validateModel(m).errors;
  assert.equal(bad.length, 1, JSON.stringify(bad));
  assert.equal(bad[0]!.graph, 'the_if.then_branch/inner_if.then_branch');
  const where = /^in the then_branch of If node 'inner_if' \(in the then_branch of If node 'the_if'\): node deep/;
  assert.match(bad[0]!.message, where);
});

test("If outputs take the branches' element type and the dimensions they agree on", () => {
  const m = ifModel(
    { nodes: [node('Relu', ['x'], ['t0'])], outputs: [vi('t0', DType.FLOAT, [2])] },
    { nodes: [node('Concat', ['x', 'x'], ['e0'], { axis: 0 })], outputs: [vi('e0', DType.FLOAT, [4])] },
    [node('Relu', ['y'], ['z'], {}, 'after')],
  );
  m.graph.outputs = [vi('y', DType.FLOAT, [null])];
  const r = validateModel(m);
  assert.deepEqual(r.errors, []);
  m.graph.outputs = [vi('y', DType.INT64, [null])];
  assert.deepEqual(
    validateModel(m).errors.map((e) => e.code),
    ['type-mismatch'],
  );
});
