/**
 * The `trt` section of a run config: where trtexec is, how engines are built, and how they are timed.
 * Every field has a default, so `trt: {}` (or no section at all) is a valid config.
 */
import { configSection } from '../pipeline/section.js';

/**
 * Docker's image reference grammar (distribution/reference): an optional registry host, lower-case path
 * components, an optional tag and digest. It cannot begin with `-`, so a value such as `--privileged` is a
 * config error rather than a docker option.
 */
export const IMAGE_REFERENCE =
  '^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*' +
  '(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$';

export interface TrtDockerConfig {
  /** Fall back to `docker run --gpus all <image> trtexec` when no local trtexec is found. */
  enabled: boolean;
  /** An NGC TensorRT image (or one built from docker/Dockerfile); it must already be pulled. */
  image: string;
}

export interface TrtBenchConfig {
  warmup_ms: number;
  duration_s: number;
  iterations: number;
  cuda_graph: boolean;
  no_data_transfers: boolean;
  spin_wait: boolean;
  /** A second, profiled run for the per-layer table (a profiled run has no summary of its own). */
  profile: boolean;
}

export interface TrtConfig {
  /** Path to trtexec; empty means search PATH and the usual install locations. */
  trtexec: string;
  docker: TrtDockerConfig;
  /** Builder workspace pool, in MiB (passed without a unit, the one form 8.6 and every 10.x read alike). */
  workspace_mib: number;
  builder_optimization_level: number;
  /** Optimization profile for a graph whose batch dimension is dynamic; ignored for a static graph. */
  batch: { min: number; opt: number; max: number };
  /** FP16 engine only, TensorRT 10+: also allow BF16 kernels (`--bf16`). */
  bf16: boolean;
  /** FP16 engine only, TensorRT 10+: `--stronglyTyped` on the FP16 ONNX from convert:fp16, instead of `--fp16`. */
  strongly_typed: boolean;
  /** A build that runs longer is stopped and reported. */
  timeout_s: number;
  bench: TrtBenchConfig;
}

const int = (minimum: number, def: number, maximum?: number) =>
  ({ type: 'integer', minimum, ...(maximum !== undefined ? { maximum } : {}), default: def }) as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    trtexec: { type: 'string', default: '' },
    docker: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        image: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          pattern: IMAGE_REFERENCE,
          default: 'nvcr.io/nvidia/tensorrt:24.08-py3',
          description:
            'a Docker image reference: [registry/]name[:tag][@sha256:digest], e.g. nvcr.io/nvidia/tensorrt:24.08-py3',
        },
      },
    },
    workspace_mib: int(1, 2048),
    builder_optimization_level: int(0, 3, 5),
    batch: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { min: int(1, 1), opt: int(1, 1), max: int(1, 8) },
    },
    bf16: { type: 'boolean', default: false },
    strongly_typed: { type: 'boolean', default: false },
    timeout_s: int(1, 3600),
    bench: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        warmup_ms: int(0, 200),
        duration_s: int(0, 3),
        iterations: int(1, 100),
        cuda_graph: { type: 'boolean', default: true },
        no_data_transfers: { type: 'boolean', default: false },
        spin_wait: { type: 'boolean', default: true },
        profile: { type: 'boolean', default: false },
      },
    },
  },
} as const;

export const defaults: TrtConfig = {
  trtexec: '',
  docker: { enabled: true, image: 'nvcr.io/nvidia/tensorrt:24.08-py3' },
  workspace_mib: 2048,
  builder_optimization_level: 3,
  batch: { min: 1, opt: 1, max: 8 },
  bf16: false,
  strongly_typed: false,
  timeout_s: 3600,
  bench: {
    warmup_ms: 200,
    duration_s: 3,
    iterations: 100,
    cuda_graph: true,
    no_data_transfers: false,
    spin_wait: true,
    profile: false,
  },
};

export const trtConfig = (root: Readonly<Record<string, unknown>>): TrtConfig => configSection(root, 'trt', defaults);
