/**
 * MobileNetV2 (Sandler et al. 2018) as torchvision 0.14 builds it, written straight into the IR. Node and
 * initializer names follow torchvision's module paths, so every initializer is a `state_dict` key and
 * `load_state_dict(strict=True)` accepts them as they are.
 */
import { DType, type Model } from '../../onnx/ir.js';
import { rng, type Rng } from '../../onnx/random.js';
import { INVERTED_RESIDUALS, makeDivisible } from './architecture.js';
import type { ModelConfig } from './config.js';
import { f, GraphBuilder, i, ints } from './graph-builder.js';
import { batchNorm, convWeight, linearWeight } from './init.js';

const BN_EPSILON = 1e-5;
const DROPOUT = 0.2;

export { makeDivisible } from './architecture.js';

/** The IR version onnx 1.12 pairs with each opset (newer IR versions are rejected by older runtimes). */
export const irVersionFor = (opset: number): number => (opset >= 15 ? 8 : opset >= 12 ? 7 : 6);

export function buildMobileNetV2(config: ModelConfig): Model {
  const b = new GraphBuilder(config.opset);
  const g = rng(config.seed);
  const batch = config.dynamic_batch ? 'batch' : config.batch_size;
  b.graph.inputs.push({
    name: 'input',
    type: { dtype: DType.FLOAT, shape: [batch, 3, config.input_size, config.input_size] },
  });

  let inputChannels = makeDivisible(32 * config.width_mult);
  const lastChannels = makeDivisible(1280 * Math.max(1, config.width_mult));
  let x = convBnRelu6(b, g, 'features.0', 'input', 3, inputChannels, 3, 2, 1);
  let index = 1;
  for (const [t, c, n, s] of INVERTED_RESIDUALS) {
    const outputChannels = makeDivisible(c * config.width_mult);
    for (let r = 0; r < n; r++) {
      x = invertedResidual(b, g, `features.${index++}`, x, inputChannels, outputChannels, r === 0 ? s : 1, t);
      inputChannels = outputChannels;
    }
  }
  x = convBnRelu6(b, g, `features.${index}`, x, inputChannels, lastChannels, 1, 1, 1);
  x = b.node('GlobalAveragePool', 'pool', [x]);
  x = b.node('Flatten', 'flatten', [x], [i('axis', 1)]);
  x = b.dropout('classifier.0', x, DROPOUT);
  const weight = b.initializer(
    'classifier.1.weight',
    [config.num_classes, lastChannels],
    linearWeight(g, config.num_classes, lastChannels),
  );
  const bias = b.initializer('classifier.1.bias', [config.num_classes], new Float32Array(config.num_classes));
  x = b.node('Gemm', 'classifier.1', [x, weight, bias], [f('alpha', 1), f('beta', 1), i('transB', 1)]);
  renameOutput(b, x, 'output');
  b.graph.outputs.push({ name: 'output', type: { dtype: DType.FLOAT, shape: [batch, config.num_classes] } });

  return {
    irVersion: irVersionFor(config.opset),
    opsetImports: [{ domain: '', version: config.opset }],
    producerName: 'enginefoundry',
    producerVersion: '1',
    domain: '',
    modelVersion: 1,
    docString:
      `MobileNetV2 width_mult=${config.width_mult} input=${config.input_size} ` +
      `classes=${config.num_classes} seed=${config.seed}`,
    metadata: [],
    graph: b.graph,
  };
}

/**
 * torchvision's InvertedResidual: optional 1×1 expansion, 3×3 depthwise, linear 1×1 projection, skip when shapes
 * allow.
 */
function invertedResidual(
  b: GraphBuilder,
  g: Rng,
  name: string,
  x: string,
  inp: number,
  oup: number,
  stride: number,
  t: number,
): string {
  const hidden = Math.round(inp * t);
  let y = x;
  let layer = 0;
  if (t !== 1) y = convBnRelu6(b, g, `${name}.conv.${layer++}`, y, inp, hidden, 1, 1, 1);
  y = convBnRelu6(b, g, `${name}.conv.${layer++}`, y, hidden, hidden, 3, stride, hidden);
  y = conv(b, g, `${name}.conv.${layer++}`, y, hidden, oup, 1, 1, 1);
  y = bn(b, g, `${name}.conv.${layer}`, y, oup);
  return stride === 1 && inp === oup ? b.node('Add', `${name}.add`, [x, y]) : y;
}

/** torchvision's Conv2dNormActivation: `${name}.0` conv, `${name}.1` BatchNorm, `${name}.2` ReLU6. */
function convBnRelu6(
  b: GraphBuilder,
  g: Rng,
  name: string,
  x: string,
  inp: number,
  oup: number,
  k: number,
  stride: number,
  groups: number,
): string {
  const y = bn(b, g, `${name}.1`, conv(b, g, `${name}.0`, x, inp, oup, k, stride, groups), oup);
  return b.relu6(`${name}.2`, y);
}

function conv(
  b: GraphBuilder,
  g: Rng,
  name: string,
  x: string,
  inp: number,
  oup: number,
  k: number,
  stride: number,
  groups: number,
): string {
  const w = b.initializer(`${name}.weight`, [oup, inp / groups, k, k], convWeight(g, oup, inp / groups, k));
  const pad = (k - 1) >> 1;
  return b.node(
    'Conv',
    name,
    [x, w],
    [
      ints('kernel_shape', [k, k]),
      ints('strides', [stride, stride]),
      ints('pads', [pad, pad, pad, pad]),
      ints('dilations', [1, 1]),
      i('group', groups),
    ],
  );
}

function bn(b: GraphBuilder, g: Rng, name: string, x: string, c: number): string {
  const p = batchNorm(g, c);
  const inputs = [
    b.initializer(`${name}.weight`, [c], p.weight),
    b.initializer(`${name}.bias`, [c], p.bias),
    b.initializer(`${name}.running_mean`, [c], p.runningMean),
    b.initializer(`${name}.running_var`, [c], p.runningVar),
  ];
  return b.node('BatchNormalization', name, [x, ...inputs], [f('epsilon', BN_EPSILON)]);
}

function renameOutput(b: GraphBuilder, from: string, to: string): void {
  const producer = b.graph.nodes.find((n) => n.outputs[0] === from);
  if (!producer) throw new Error(`Internal error: no node produces ${from}`);
  producer.outputs[0] = to;
}
