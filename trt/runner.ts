/**
 * Timing and running a built engine through trtexec, for the benchmark stage. Samples are each query's
 * `latencyMs` from --exportTimes (H2D + GPU compute + D2H, measured with CUDA events; enqueue is not in
 * it), the same quantity as the summary's `Latency` line; throughput is trtexec's queries/s × batch.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Exec } from '../pipeline/execute/exec.js';
import { fail } from '../pipeline/cause.js';
import { ok, type Result } from '../pipeline/result.js';
import type { StageFailure, ToolFound } from '../pipeline/stage.js';
import type { LatencyStats, Measurement } from '../measure/result.js';
import { shapeSpec } from './build-args.js';
import type { TrtBenchConfig } from './config.js';
import { readExportOutput, readExportTimes, type ExportedOutput } from './export-json.js';
import type { AnyTensor } from '../onnx/ort.js';
import type { TrtInputs } from './model-input.js';
import type { PerformanceSummary } from './parse-log.js';
import { runTrtexec } from './trtexec.js';
import { latencyStats } from '../measure/trtexec-stats.js';
import type { Precision } from '../onnx/precision.js';

export interface TrtRunRequest {
  tool: ToolFound;
  enginePath: string;
  /** The engine's graph inputs, from readTrtInputs on the ONNX it was built from. */
  inputs: TrtInputs;
  batch: number;
  /** Where trtexec's JSON files go. */
  workDir: string;
  exec: Exec;
  signal?: AbortSignal;
}

export interface TrtBenchRequest extends TrtRunRequest {
  precision: Precision;
  settings: TrtBenchConfig;
}

export interface TrtBenchmark {
  measurement: Measurement;
  summary: PerformanceSummary;
  /** The --exportProfile JSON when settings.profile asked for a per-layer profile. */
  profilePath?: string;
}

/** An engine without a batch dimension runs its own batch only; every input built with a profile is told its shape. */
function shapeArgs(r: TrtRunRequest): Result<string[], StageFailure> {
  if (!r.inputs.batched && r.batch !== r.inputs.fixedBatch) {
    return fail(
      'bad-input',
      `${basename(r.enginePath)} was built for a fixed batch of ${r.inputs.fixedBatch} ` +
        `and cannot run batch ${r.batch}; ` +
        'give the model a dynamic batch dimension (model.dynamic_batch: true for MobileNetV2) ' +
        `or benchmark batch ${r.inputs.fixedBatch} only`,
    );
  }
  const spec = shapeSpec(r.inputs, r.batch);
  return ok(spec ? [`--shapes=${spec}`] : []);
}

/** trtexec on the engine, with the engine's folder and the work folder mounted when it runs in Docker. */
const runOn = (r: TrtRunRequest, args: string[], what: string) =>
  runTrtexec({ tool: r.tool, args, mounts: [dirname(r.enginePath), r.workDir], what, exec: r.exec, signal: r.signal });

const trtMajor = (r: TrtRunRequest): number => Number((r.tool.fingerprint.tensorrt ?? '10').split('.')[0]);

export function benchArgs(r: TrtBenchRequest, timesPath: string, profilePath?: string): Result<string[], StageFailure> {
  const shapes = shapeArgs(r);
  if (!shapes.ok) return shapes;
  const s = r.settings;
  return ok([
    `--loadEngine=${r.enginePath}`,
    ...shapes.value,
    `--warmUp=${s.warmup_ms}`,
    `--duration=${s.duration_s}`,
    `--iterations=${s.iterations}`,
    ...(s.cuda_graph ? ['--useCudaGraph'] : []),
    ...(s.no_data_transfers ? ['--noDataTransfers'] : []),
    ...(s.spin_wait ? ['--useSpinWait'] : []),
    `--exportTimes=${timesPath}`,
    // Before 11, profiling in the timed run would suppress the summary and the times file: profile in a second
    // run. 11 always profiles in a run of its own (the flag is a deprecated no-op there).
    ...(profilePath ? [...(trtMajor(r) < 11 ? ['--separateProfileRun'] : []), '--dumpProfile'] : []),
    ...(profilePath ? [`--exportProfile=${profilePath}`] : []),
  ]);
}

/**
 * The summary's Latency line and the exported samples describe the same queries. Both are printed with
 * 6 significant digits, so they agree to about 1e-5 relative; 1e-4 leaves room and still catches a stale
 * or foreign times file.
 */
function disagreement(stats: LatencyStats, summary: PerformanceSummary): string | undefined {
  const pairs: [string, number, number][] = [
    ['min', stats.min, summary.latency.min],
    ['max', stats.max, summary.latency.max],
    ['median', stats.p50, summary.latency.median],
    ['mean', stats.mean, summary.latency.mean],
  ];
  const off = pairs.find(([, a, b]) => Math.abs(a - b) > 1e-4 * Math.max(Math.abs(b), 1e-6));
  return off ? `${off[0]} ${off[1]} ms from the samples, ${off[2]} ms in the summary` : undefined;
}

/** What one trt sample is, as bench.json states it beside the samples. */
const TIMING =
  'trtexec --exportTimes latencyMs per query: CUDA events from the start of H2D to the end of D2H ' +
  '(H2D + GPU compute + D2H; 0 transfers with noDataTransfers); host enqueue excluded';

export async function benchmarkTrtEngine(r: TrtBenchRequest): Promise<Result<TrtBenchmark, StageFailure>> {
  const tag = `trt-${r.precision}-b${r.batch}`;
  const timesPath = join(r.workDir, `${tag}.times.json`);
  const profilePath = r.settings.profile ? join(r.workDir, `${tag}.profile.json`) : undefined;
  const args = benchArgs(r, timesPath, profilePath);
  if (!args.ok) return args;
  const what = `benchmarking ${basename(r.enginePath)} at batch ${r.batch} with trtexec failed`;
  const log = await runOn(r, args.value, what);
  if (!log.ok) return log;
  if (!log.value.summary) return fail('tool-failed', `${what}: trtexec passed but printed no performance summary`);
  const times = await readExportTimes(timesPath);
  if (!times.ok) return fail('tool-failed', `${what}: ${times.error}`);
  if (times.value.length === 0)
    return fail(
      'tool-failed',
      `${what}: the --exportTimes file has no queries; raise trt.bench.duration_s or iterations`,
    );
  const samplesMs = times.value.map((t) => t.latencyMs);
  const summary = log.value.summary;
  const stats = latencyStats(samplesMs);
  const mismatch = disagreement(stats, summary);
  if (mismatch)
    return fail(
      'tool-failed',
      `${what}: the --exportTimes samples do not match trtexec's own summary (${mismatch}), ` +
        'so they are not from this run',
    );
  const measurement = measurementOf(r, { samplesMs, stats, warmup: log.value.warmup?.queries ?? 0 }, summary);
  return ok({ measurement, summary, profilePath });
}

/** The measurement of one timed run: the engine, trtexec's settings, the samples and their statistics. */
function measurementOf(
  r: TrtBenchRequest,
  timed: Pick<Measurement, 'samplesMs' | 'stats' | 'warmup'>,
  summary: PerformanceSummary,
): Measurement {
  const s = r.settings;
  return {
    engine: 'trt',
    precision: r.precision,
    batch: r.batch,
    artifact: basename(r.enginePath),
    device: r.tool.fingerprint.gpu ?? 'unknown GPU',
    settings: {
      tensorrt: r.tool.fingerprint.tensorrt ?? '',
      warmUpMs: s.warmup_ms,
      durationS: s.duration_s,
      iterations: s.iterations,
      cudaGraph: s.cuda_graph,
      noDataTransfers: s.no_data_transfers,
      spinWait: s.spin_wait,
      gpuComputeMeanMs: summary.gpuCompute.mean,
    },
    timing: TIMING,
    warmup: timed.warmup,
    samplesMs: timed.samplesMs,
    stats: timed.stats,
    throughput: summary.throughputQps * r.batch,
  };
}

/**
 * The bytes trtexec's --loadInputs reads for one input: raw little-endian in the engine's element type. TensorRT
 * before 10 has no int64 tensors (the ONNX parser makes them int32), so int64 values go as int32 there.
 */
function inputBytes(t: AnyTensor, trtMajor: number): Uint8Array {
  const data =
    t.type === 'int64' && trtMajor < 10
      ? Int32Array.from(t.data as BigInt64Array, (v) => Number(v))
      : (t.data as ArrayBufferView);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Runs the engine once on given input values (every input, --loadInputs=name:file,…) and returns its outputs
 * from --exportOutput, for comparison with the FP32 reference.
 */
export async function runTrtEngineOnce(
  r: TrtRunRequest & { feeds: Record<string, AnyTensor> },
): Promise<Result<ExportedOutput[], StageFailure>> {
  const shapes = shapeArgs(r);
  if (!shapes.ok) return shapes;
  const major = trtMajor(r);
  const loads: string[] = [];
  for (const [k, input] of r.inputs.inputs.entries()) {
    const t = r.feeds[input.name];
    if (!t) throw new Error(`Internal error: no values for input ${input.name}`);
    const path = join(r.workDir, `trt-input-b${r.batch}-${k}.bin`);
    await writeFile(path, inputBytes(t, major));
    loads.push(`${/^[A-Za-z0-9_./-]+$/.test(input.name) ? input.name : `'${input.name}'`}:${path}`);
  }
  const outputPath = join(r.workDir, `trt-output-b${r.batch}.json`);
  const args = [
    `--loadEngine=${r.enginePath}`,
    ...shapes.value,
    `--loadInputs=${loads.join(',')}`,
    `--exportOutput=${outputPath}`,
    '--iterations=1',
    '--warmUp=0',
    '--duration=0',
  ];
  const what = `running ${basename(r.enginePath)} on the reference inputs with trtexec failed`;
  const log = await runOn(r, args, what);
  if (!log.ok) return log;
  const outputs = await readExportOutput(outputPath);
  return outputs.ok ? outputs : fail('tool-failed', `${what}: ${outputs.error}`);
}
