/**
 * The `trt` section of a run config: where trtexec is, how engines are built, and how they are timed.
 * Every field has a default, so `trt: {}` (or no section at all) is a valid config.
 */
import { Type, type IntegerOptions, type Static } from '@sinclair/typebox';
import { configSection, Section, sectionDefaults } from '../pipeline/config/section.js';

declare module '../measure/kit.js' {
  interface KitSections {
    /** The `trt` config section: where trtexec is, how engines are built, and how the benchmark runs them. */
    trt: TrtConfig;
  }
}

/**
 * Docker's image reference grammar (distribution/reference): an optional registry host, lower-case path
 * components, an optional tag and digest. It cannot begin with `-`, so a value such as `--privileged` is a
 * config error rather than a docker option.
 */
export const IMAGE_REFERENCE =
  '^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*' +
  '(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$';

const int = (minimum: number, def: number, options: IntegerOptions = {}) =>
  Type.Integer({ minimum, default: def, ...options });
const bool = (def: boolean, description?: string) =>
  Type.Boolean({ default: def, ...(description ? { description } : {}) });

const docker = Section({
  enabled: bool(true, 'Fall back to `docker run --gpus all <image> trtexec` when no local trtexec is found.'),
  // An NGC TensorRT image (or one built from docker/Dockerfile); it must already be pulled. The description is
  // what a config whose image does not match the pattern is told.
  image: Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: IMAGE_REFERENCE,
    default: 'nvcr.io/nvidia/tensorrt:24.08-py3',
    description:
      'a Docker image reference: [registry/]name[:tag][@sha256:digest], e.g. nvcr.io/nvidia/tensorrt:24.08-py3',
  }),
});

const bench = Section({
  warmup_ms: int(0, 200),
  duration_s: int(0, 3),
  iterations: int(1, 100),
  cuda_graph: bool(true),
  no_data_transfers: bool(false),
  spin_wait: bool(true),
  profile: bool(false, 'A second, profiled run for the per-layer table (a profiled run has no summary of its own).'),
});

export const schema = Section({
  trtexec: Type.String({
    default: '',
    description: 'Path to trtexec; empty means search PATH and the usual install locations.',
  }),
  docker,
  workspace_mib: int(1, 2048, {
    description: 'Builder workspace pool, in MiB (passed without a unit, the one form 8.6 and every 10.x read alike).',
  }),
  builder_optimization_level: int(0, 3, { maximum: 5 }),
  batch: Section(
    { min: int(1, 1), opt: int(1, 1), max: int(1, 8) },
    { description: 'Optimization profile for a graph whose batch dimension is dynamic; ignored for a static graph.' },
  ),
  bf16: bool(false, 'FP16 engine only, TensorRT 10+: also allow BF16 kernels (`--bf16`).'),
  strongly_typed: bool(
    false,
    'FP16 engine only, TensorRT 10+: `--stronglyTyped` on the FP16 ONNX from convert:fp16, instead of `--fp16`.',
  ),
  timeout_s: int(1, 3600, { description: 'A build that runs longer is stopped and reported.' }),
  bench,
});

export type TrtConfig = Static<typeof schema>;
export type TrtBenchConfig = TrtConfig['bench'];

export const defaults: TrtConfig = sectionDefaults(schema);

export const trtConfig = (root: Readonly<Record<string, unknown>>): TrtConfig => configSection(root, 'trt', schema);
