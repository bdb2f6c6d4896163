/**
 * Turns a failed trtexec run into one message with the lines that explain it. trtexec writes errors and
 * warnings to stderr and everything else (including the banners and, for a bad option, the whole help
 * text) to stdout, so the explanation is taken from stderr first and the help text never reaches the user.
 */
import type { ToolRun } from '../pipeline/execute/exec.js';
import type { StageFailure } from '../pipeline/stage.js';
import { logLines } from './parse-log.js';

export type FailureKind =
  | 'unknown-option'
  | 'unsupported-operator'
  | 'onnx-parse'
  | 'static-shapes'
  | 'out-of-memory'
  | 'engine-version'
  | 'no-gpu'
  | 'crashed'
  | 'timed-out'
  | 'not-started'
  | 'no-passed-banner'
  | 'failed';

interface Rule {
  kind: FailureKind;
  test: RegExp;
  what: (m: RegExpExecArray, text: string) => string;
  fix: string;
}

// Order matters: the most specific cause first (an unsupported operator is also a parse failure).
const RULES: Rule[] = [
  {
    kind: 'unknown-option',
    test: /Unknown option: (\S+)/,
    what: (m) => `trtexec does not accept the option ${m[1]}`,
    fix: 'this TensorRT version does not have that flag; check trt settings against docs/tensorrt.md',
  },
  {
    kind: 'no-gpu',
    test: new RegExp(
      'no CUDA-capable device|CUDA initialization failure|cudaErrorNoDevice|CUDA driver version is insufficient' +
        '|cudaErrorInsufficientDriver|NVIDIA driver on your system is too old',
      'i',
    ),
    what: () => 'trtexec found no usable CUDA GPU',
    fix:
      'run on a machine with an NVIDIA GPU and a driver that matches this TensorRT ' +
      '(for Docker: the NVIDIA Container Toolkit and --gpus)',
  },
  {
    kind: 'unsupported-operator',
    test: new RegExp(
      'Plugin not found|checkFallbackPluginImporter|importFallbackPluginImporter' +
        '|getPluginCreator could not find plugin|No importer registered for op',
    ),
    what: (_m, text) => {
      // The operator's name is in the parser's node dump (`op_type: "X"`) or its info line before it.
      const op = /No importer registered for op: (\S+)\./.exec(text)?.[1] ?? /op_type: "([^"]+)"/.exec(text)?.[1];
      return `the ONNX graph uses an operator TensorRT cannot import${op ? ` (${op})` : ''}`;
    },
    fix: 'replace the operator in the model, or provide a TensorRT plugin for it',
  },
  {
    kind: 'onnx-parse',
    test: /Failed to parse onnx file|Parsing model failed|ModelImporter\.cpp/,
    what: () => 'TensorRT could not parse the ONNX model',
    fix: 'check the model with the validate stage; the parser lines below name the failing node',
  },
  {
    kind: 'static-shapes',
    test: /Static model does not take explicit shapes/,
    what: () => 'shape flags were given for a static graph',
    fix: 'this is a bug in the stage (it reads the graph to decide); please report it',
  },
  {
    kind: 'out-of-memory',
    test: /out of memory|OutOfMemory|Requested amount of GPU memory|cudaErrorMemoryAllocation|Error Code 2:/i,
    what: () => 'the GPU ran out of memory',
    fix: 'lower trt.workspace_mib or trt.batch.max, or free the GPU',
  },
  {
    kind: 'engine-version',
    test: new RegExp(
      'not compatible with this version of TensorRT|Version tag does not match|Serialization assertion' +
        '|Engine deserialization failed|Got invalid engine',
    ),
    what: () => 'the engine file cannot be loaded by this TensorRT',
    fix: 'engines only load in the TensorRT version that built them: rebuild it (`make engines ARGS=--force`)',
  },
];

/** Errors and fatal lines, in order; stdout only for parser/assertion lines that 8.x prints there. */
export function relevantLines(run: Pick<ToolRun, 'stdout' | 'stderr'>, limit = 20): string[] {
  const pick = (text: string, levels: string) =>
    logLines(text)
      .filter((l) => l.level !== '' && levels.includes(l.level))
      .map((l) => l.raw);
  const errors = [...pick(run.stderr, 'EF'), ...pick(run.stdout, 'EF')];
  const lines =
    errors.length > 0
      ? errors
      : [
          ...pick(run.stderr, 'W'),
          ...logLines(run.stderr)
            .filter((l) => l.level === '' && l.raw.trim())
            .map((l) => l.raw),
        ];
  const failed = run.stdout.split('\n').find((l) => l.startsWith('&&&& FAILED'));
  const kept =
    lines.length > limit
      ? [...lines.slice(0, limit - 1), `... ${lines.length - limit + 1} more lines in the log`]
      : lines;
  return failed ? [...kept, failed] : kept;
}

/** The stage failure reasons trtexec's failures give, one per kind. */
export type TrtReason = `trt-${FailureKind}`;

declare module '../pipeline/reason.js' {
  interface StageReasons extends Record<TrtReason, true> {}
}

export interface ClassifiedFailure extends StageFailure {
  reason: TrtReason;
}

const classified = (kind: FailureKind, message: string, details: string[]): ClassifiedFailure => ({
  reason: `trt-${kind}`,
  message,
  details,
});

export function classifyFailure(run: ToolRun, what: string): ClassifiedFailure {
  const details = relevantLines(run);
  if (run.spawnError)
    return classified('not-started', `${what}: could not start ${run.command}: ${run.spawnError}`, details);
  if (run.timedOut)
    return classified(
      'timed-out',
      `${what}: trtexec ran past trt.timeout_s and was stopped; ` +
        'raise trt.timeout_s or lower trt.builder_optimization_level',
      details,
    );
  const text = `${run.stderr}\n${run.stdout}`;
  for (const rule of RULES) {
    const m = rule.test.exec(text);
    if (m) return classified(rule.kind, `${what}: ${rule.what(m, text)}; ${rule.fix}`, details);
  }
  if (run.exitCode === null) {
    return classified(
      'crashed',
      `${what}: trtexec was killed by ${run.signal ?? 'a signal'} without reporting an error; the log is the only lead`,
      details,
    );
  }
  if (run.exitCode === 0) {
    return classified(
      'no-passed-banner',
      `${what}: trtexec exited 0 but did not print &&&& PASSED, so its result is not trusted`,
      details,
    );
  }
  return classified('failed', `${what}: trtexec failed (exit ${run.exitCode})`, details);
}
