/**
 * The one door to onnxruntime-node. Used to prove passes numerically, to check the builder against
 * torchvision, and by the benchmark.
 */
import ort from 'onnxruntime-node';

/*
 * onnxruntime's own log is not shown: it goes straight to stderr, raw and coloured, past our logger, and
 * onnxruntime-node has no hook to capture it, so it cannot be summarised either. Nothing is lost by that: its
 * warnings are about the model's housekeeping ("Removing initializer 'x'. It is not used by any node"), which
 * the validator and the passes report in their own words, and each of its errors repeats the message of the
 * exception the call then throws, which the caller turns into one line. Set before the first session: the
 * default logger takes its level once.
 */
ort.env.logLevel = 'fatal';

/** onnxruntime's graph optimization levels: `disabled` keeps every tensor's name (numeric checks, calibration). */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** How a session is opened; always on the CPU provider. */
export interface SessionOptions {
  /** `all` when not given. */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** 0 lets onnxruntime choose. */
  intraOpThreads?: number;
  /** Threads across independent nodes; 0 lets onnxruntime choose. */
  interOpThreads?: number;
  /** onnxruntime's own log for this session and its runs: 0 verbose … 4 fatal only (default; see above). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** A float32 tensor: what correctness checks compare. */
export interface FloatTensor {
  /** The shape. */
  dims: readonly number[];
  /** The values, row-major. */
  data: Float32Array;
}

/** An open onnxruntime session: released by whoever opened it. */
export type Session = ort.InferenceSession;

export async function openSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
  const opts: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    interOpNumThreads: options.interOpThreads ?? 0,
    executionProviders: ['cpu'],
    // Issue 14 counted 261 warnings for one model; a run that fails would add an error line per call.
    logSeverityLevel: options.logSeverityLevel ?? 4,
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

/** A tensor of any element type, as onnxruntime-node takes and returns it (int64, bool, string... inputs). */
export interface AnyTensor {
  /** onnxruntime's name of the element type (`float32`, `int64`, `bool`). */
  type: ort.Tensor.Type;
  /** The shape. */
  dims: readonly number[];
  /** The values, row-major, in the typed array that `type` implies. */
  data: ort.Tensor.DataType;
}

/** Feeds of any element type as onnxruntime takes them. */
export function ortFeeds(feeds: Readonly<Record<string, AnyTensor>>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new ort.Tensor(t.type, t.data as never, t.dims);
  return out;
}

/** What onnxruntime threw, as one line: its messages carry a stack of C++ frames after the first. */
export const ortError = (e: unknown): string =>
  e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);

/** One-shot run with feeds of any element type; returns every output as it came. */
export async function runTensorsOnce(
  model: Uint8Array | string,
  feeds: Record<string, AnyTensor>,
  options: SessionOptions = {},
): Promise<Record<string, AnyTensor>> {
  const session = await openSession(model, options);
  try {
    const results = await session.run(ortFeeds(feeds));
    const out: Record<string, AnyTensor> = {};
    for (const [name, t] of Object.entries(results)) out[name] = { type: t.type, dims: t.dims, data: t.data };
    return out;
  } finally {
    await session.release();
  }
}
