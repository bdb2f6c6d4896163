/**
 * The one door to onnxruntime-node. Used to prove passes numerically, to check the builder against
 * torchvision, and by the benchmark.
 */
import ort from 'onnxruntime-node';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionOptions {
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** 0 lets onnxruntime choose. */
  intraOpThreads?: number;
  interOpThreads?: number;
  /** onnxruntime's own logging: 0 verbose … 3 errors (default), 4 fatal only (runs that expect models to fail). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export interface FloatTensor {
  dims: readonly number[];
  data: Float32Array;
}

export type Session = ort.InferenceSession;

export async function openSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
  const opts: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    interOpNumThreads: options.interOpThreads ?? 0,
    executionProviders: ['cpu'],
    // Errors only unless asked: onnxruntime writes its warnings straight to stderr, raw and coloured, past the
    // logger (issue 14 counted 261 for one model); what it cannot do arrives as an exception instead.
    logSeverityLevel: options.logSeverityLevel ?? 3,
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, opts)
    : ort.InferenceSession.create(model, opts);
}

/** Runs float32 feeds through a session and returns every float32 output by name. */
export async function runFloat(
  session: Session,
  feeds: Record<string, FloatTensor>,
): Promise<Record<string, FloatTensor>> {
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
  const results = await session.run(inputs);
  const out: Record<string, FloatTensor> = {};
  for (const [name, t] of Object.entries(results)) {
    if (t.type !== 'float32') throw new Error(`Internal error: output ${name} is ${t.type}, expected float32`);
    out[name] = { dims: t.dims, data: t.data as Float32Array };
  }
  return out;
}

/** One-shot convenience: open, run once, release. */
export async function runModelOnce(
  model: Uint8Array | string,
  feeds: Record<string, FloatTensor>,
  options: SessionOptions = {},
): Promise<Record<string, FloatTensor>> {
  const session = await openSession(model, options);
  try {
    return await runFloat(session, feeds);
  } finally {
    await session.release();
  }
}

export const ortVersion = (): string => ort.env.versions.common;

/** A tensor of any element type, as onnxruntime-node takes and returns it (for corpus tests with int64, bool, string...). */
export interface AnyTensor {
  type: ort.Tensor.Type;
  dims: readonly number[];
  data: ort.Tensor.DataType;
}

/** One-shot run with feeds of any element type; returns every output as it came. */
export async function runTensorsOnce(
  model: Uint8Array | string,
  feeds: Record<string, AnyTensor>,
  options: SessionOptions = {},
): Promise<Record<string, AnyTensor>> {
  const session = await openSession(model, options);
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data as never, t.dims);
    const results = await session.run(inputs);
    const out: Record<string, AnyTensor> = {};
    for (const [name, t] of Object.entries(results)) out[name] = { type: t.type, dims: t.dims, data: t.data };
    return out;
  } finally {
    await session.release();
  }
}
