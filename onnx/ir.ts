/**
 * The in-memory ONNX graph that every stage rewrites. It mirrors ModelProto closely, with string-named
 * edges as ONNX has them, so that decoding and encoding are one straight walk each way (onnx/serde.ts)
 * and a pass is ordinary array and map work. Protobuf messages never reach a pass.
 *
 * Tensors and attributes keep the message they came from: an initializer a pass does not touch is
 * written back exactly as it was read (same storage field, same bytes), which is what makes the
 * round trip over ONNX's own corpus byte-faithful. So a pass replaces a tensor, attribute or value info
 * rather than mutating one: a new object has no `proto`, and serde encodes it from its fields.
 */
import type { onnx } from 'onnx-proto';

/** TensorProto.DataType, by the names ONNX uses. */
export const DType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  // IR 9 and 10 (opsets 19 and 21): 8-bit floats and packed 4-bit integers.
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;
export type DType = (typeof DType)[keyof typeof DType];

/** One dimension: a fixed size, a symbolic name (`N`, `batch`), or unknown. */
export type Dim = number | string | null;

/** A tensor type as ValueInfoProto gives it; `shape` is undefined when the rank itself is unknown. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape?: readonly Dim[];
}

export interface ValueInfo {
  name: string;
  /** Undefined for non-tensor types (sequence, map, optional); `proto` then carries the type. */
  type?: TensorType;
  docString?: string;
  /** The message this came from, for fidelity; absent for values a pass created. */
  readonly proto?: onnx.IValueInfoProto;
}

/**
 * A constant tensor. `proto` is the TensorProto in whatever storage the file used (raw_data, float_data,
 * int64_data, external data...). Read values with `tensorValues()` from onnx/tensor.ts; create tensors with
 * `makeTensor()`, which stores raw little-endian bytes.
 */
export interface Tensor {
  name: string;
  dtype: DType;
  dims: readonly number[];
  readonly proto: onnx.ITensorProto;
}

/** An attribute, decoded for the types passes use; everything else stays in `proto`. */
export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: Tensor }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  /** Graphs, sparse tensors, type protos and lists of them: carried through untouched. */
  | { kind: 'opaque'; value: onnx.IAttributeProto };

export interface Attribute {
  name: string;
  value: AttributeValue;
  /** The message this came from; serde re-emits it unchanged while `value` is the one decoded from it. */
  readonly proto?: onnx.IAttributeProto;
}

export interface Node {
  name: string;
  opType: string;
  /** '' is the default ONNX domain ('ai.onnx'). */
  domain: string;
  /** Value names; '' marks an omitted optional input, as in ONNX. */
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
  docString?: string;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Intermediate value types (shape inference results); may be empty. */
  valueInfo: ValueInfo[];
  initializers: Tensor[];
  docString?: string;
  /** Graph fields the IR does not model (sparse initializers, quantization annotations), kept verbatim. */
  readonly extra?: Pick<onnx.IGraphProto, 'sparseInitializer' | 'quantizationAnnotation'>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: { key: string; value: string }[];
  graph: Graph;
  /** Model fields the IR does not model (local functions, training info), kept verbatim. */
  readonly extra?: Pick<onnx.IModelProto, 'functions' | 'trainingInfo'>;
}
