import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../../onnx/ir.js';
import { inferGraph, inferShapes } from '../../../onnx/infer/index.js';
import { floats, int64s, model, node, smallNet, vi } from '../model-kit.js';

test('the small net: Conv stride 2 pad 1, BN, GAP, Flatten, Gemm transB', () => {
  const m = smallNet();
  const before = JSON.stringify(m.graph.valueInfo);
  const t = inferShapes(m);
  assert.deepEqual(t.get('c'), { dtype: DType.FLOAT, shape: [1, 4, 4, 4] });
  assert.deepEqual(t.get('bn')?.shape, [1, 4, 4, 4]);
  assert.deepEqual(t.get('p')?.shape, [1, 4, 1, 1]);
  assert.deepEqual(t.get('f')?.shape, [1, 4]);
  assert.deepEqual(t.get('y')?.shape, [1, 5]);
  assert.equal(JSON.stringify(m.graph.valueInfo), before, 'inferShapes must not modify the model');
});

test('Conv: auto_pad SAME_UPPER, VALID, dilations, depthwise group, symbolic batch', () => {
  const conv = (attrs: Record<string, number | number[] | string>, w = [8, 1, 3, 3]) =>
    inferShapes(
      model({
        inputs: [vi('x', DType.FLOAT, ['N', 8, 15, 15])],
        outputs: [vi('y')],
        initializers: [floats('w', w)],
        nodes: [node('Conv', ['x', 'w'], ['y'], attrs)],
      }),
    ).get('y')?.shape;
  assert.deepEqual(conv({ group: 8, auto_pad: 'SAME_UPPER', strides: [2, 2] }), ['N', 8, 8, 8]);
  assert.deepEqual(conv({ group: 8, auto_pad: 'VALID' }), ['N', 8, 13, 13]);
  assert.deepEqual(conv({ group: 8, dilations: [2, 2], pads: [2, 2, 2, 2] }), ['N', 8, 15, 15]);
  assert.deepEqual(conv({ strides: [3, 1], pads: [0, 1, 0, 1] }, [4, 8, 1, 3]), ['N', 4, 5, 15]);
});

test('pooling with ceil_mode, MaxPool indices are int64', () => {
  const t = inferShapes(
    model({
      inputs: [vi('x', DType.FLOAT, [1, 2, 7, 7])],
      outputs: [vi('y', DType.UNDEFINED), vi('z', DType.UNDEFINED), vi('i', DType.UNDEFINED)],
      nodes: [
        node('MaxPool', ['x'], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }),
        node('AveragePool', ['x'], ['z'], { kernel_shape: [3, 3], strides: [2, 2] }),
      ],
    }),
  );
  assert.deepEqual(t.get('y')?.shape, [1, 2, 4, 4]);
  assert.deepEqual(t.get('i'), { dtype: DType.INT64, shape: [1, 2, 4, 4] });
  assert.deepEqual(t.get('z')?.shape, [1, 2, 3, 3]);
});

test('Reshape with 0 and -1, and a shape computed by Shape → Gather → Unsqueeze → Concat', () => {
  const t = inferShapes(
    model(
      {
        inputs: [vi('x', DType.FLOAT, [2, 3, 4, 5])],
        outputs: [vi('a'), vi('b')],
        initializers: [int64s('target', [0, -1, 5]), int64s('zero', [0], []), int64s('minus', [-1])],
        nodes: [
          node('Reshape', ['x', 'target'], ['a']),
          node('Shape', ['x'], ['s']),
          node('Gather', ['s', 'zero'], ['n'], { axis: 0 }),
          node('Unsqueeze', ['n'], ['n1'], { axes: [0] }, 'unsq'),
          node('Concat', ['n1', 'minus'], ['shape'], { axis: 0 }),
          node('Reshape', ['x', 'shape'], ['b']),
        ],
      },
      11,
    ),
  );
  assert.deepEqual(t.get('a')?.shape, [2, 12, 5]);
  assert.deepEqual(t.get('s'), { dtype: DType.INT64, shape: [4] });
  assert.deepEqual(t.get('n')?.shape, []);
  assert.deepEqual(t.get('shape')?.shape, [2]);
  assert.deepEqual(t.get('b')?.shape, [2, 60]);
});

test('broadcasting, comparisons, Transpose, Cast, MatMul batch, Gemm transA, Concat', () => {
  const t = inferShapes(
    model({
      inputs: [
        vi('x', DType.FLOAT, ['N', 1, 4]),
        vi('y', DType.FLOAT, [3, 1]),
        vi('a', DType.FLOAT, [6, 2]),
        vi('m', DType.FLOAT, [5, 1, 4, 6]),
      ],
      outputs: ['s', 'l', 'tr', 'ci', 'mm', 'g', 'cc'].map((n) => vi(n, DType.UNDEFINED)),
      initializers: [floats('b', [6, 7]), floats('k', [6, 2])],
      nodes: [
        node('Add', ['x', 'y'], ['s']),
        node('Less', ['x', 'y'], ['l']),
        node('Transpose', ['m'], ['tr'], { perm: [0, 2, 3, 1] }),
        node('Cast', ['x'], ['ci'], { to: DType.INT32 }),
        node('MatMul', ['m', 'b'], ['mm']),
        node('Gemm', ['a', 'k'], ['g'], { transA: 1 }),
        node('Concat', ['m', 'm'], ['cc'], { axis: -1 }),
      ],
    }),
  );
  assert.deepEqual(t.get('s'), { dtype: DType.FLOAT, shape: ['N', 3, 4] });
  assert.deepEqual(t.get('l'), { dtype: DType.BOOL, shape: ['N', 3, 4] });
  assert.deepEqual(t.get('tr')?.shape, [5, 4, 6, 1]);
  assert.deepEqual(t.get('ci'), { dtype: DType.INT32, shape: ['N', 1, 4] });
  assert.deepEqual(t.get('mm')?.shape, [5, 1, 4, 7]);
  assert.deepEqual(t.get('g')?.shape, [2, 2]);
  assert.deepEqual(t.get('cc')?.shape, [5, 1, 4, 12]);
});

test('Unsqueeze/Squeeze axes from an input at 13, Slice, Pad and ReduceMean', () => {
  const t = inferShapes(
    model({
      inputs: [vi('x', DType.FLOAT, [2, 1, 6])],
      outputs: [vi('u'), vi('q'), vi('sl'), vi('pd'), vi('rm')],
      initializers: [
        int64s('ax', [0, -1]),
        int64s('one', [1]),
        int64s('st', [1]),
        int64s('en', [100]),
        int64s('last', [-1]),
        int64s('pads', [0, 0, 1, 0, 0, 2]),
      ],
      nodes: [
        node('Unsqueeze', ['x', 'ax'], ['u']),
        node('Squeeze', ['x', 'one'], ['q']),
        node('Slice', ['x', 'st', 'en', 'last'], ['sl']),
        node('Pad', ['x', 'pads'], ['pd']),
        node('ReduceMean', ['x'], ['rm'], { axes: [2], keepdims: 0 }),
      ],
    }),
  );
  assert.deepEqual(t.get('u')?.shape, [1, 2, 1, 6, 1]);
  assert.deepEqual(t.get('q')?.shape, [2, 6]);
  assert.deepEqual(t.get('sl')?.shape, [2, 1, 5]);
  assert.deepEqual(t.get('pd')?.shape, [2, 1, 9]);
  assert.deepEqual(t.get('rm')?.shape, [2, 1]);
});

test('incompatible shapes are definite errors; unknown ones are not', () => {
  const issues = (x: (string | number | null)[], y: (string | number | null)[]) =>
    inferGraph(
      model({
        inputs: [vi('x', DType.FLOAT, x), vi('y', DType.FLOAT, y)],
        outputs: [vi('s')],
        nodes: [node('Add', ['x', 'y'], ['s'], {}, 'add')],
      }),
    ).issues;
  assert.equal(issues([3, 4], [5, 4])[0]?.code, 'shape-inference');
  assert.equal(issues([3, 4], [5, 4])[0]?.node, 'add');
  assert.deepEqual(issues(['N', 4], [5, 4]), []);
  assert.deepEqual(issues([null, 4], [1, 4]), []);
});

test('ConstantOfShape, Expand, Tile, Split and Where from constant inputs', () => {
  const t = inferShapes(
    model({
      inputs: [vi('x', DType.FLOAT, [2, 1, 6]), vi('c', DType.BOOL, [6])],
      outputs: [],
      initializers: [
        int64s('shape', [3, 4]),
        int64s('big', [5, 2, 3, 6]),
        int64s('reps', [1, 2, 1]),
        int64s('parts', [2, 4]),
      ],
      nodes: [
        node('ConstantOfShape', ['shape'], ['k'], { value: int64s('v', [1], [1]) }),
        node('Expand', ['x', 'big'], ['e']),
        node('Tile', ['x', 'reps'], ['ti']),
        node('Split', ['x', 'parts'], ['s0', 's1'], { axis: 2 }),
        node('Where', ['c', 'x', 'x'], ['w']),
      ],
    }),
  );
  assert.deepEqual(t.get('k'), { dtype: DType.INT64, shape: [3, 4] });
  assert.deepEqual(t.get('e')?.shape, [5, 2, 3, 6]);
  assert.deepEqual(t.get('ti')?.shape, [2, 2, 6]);
  assert.deepEqual(
    [t.get('s0')?.shape, t.get('s1')?.shape],
    [
      [2, 1, 2],
      [2, 1, 4],
    ],
  );
  assert.deepEqual(t.get('w'), { dtype: DType.FLOAT, shape: [2, 1, 6] });
});
