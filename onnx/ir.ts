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
/** One of DType's values: an element type as the file stores it (a number, so unknown future types survive). */
export type DType = (typeof DType)[keyof typeof DType];

/** One dimension: a fixed size, a symbolic name (`N`, `batch`), or unknown. */
export type Dim = number | string | null;

/** A tensor type as ValueInfoProto gives it; `shape` is undefined when the rank itself is unknown. */
export interface TensorType {
  /** UNDEFINED where the file leaves the element type out (inference may fill it in). */
  readonly dtype: DType;
  /** One entry per dimension; `[]` is a scalar. */
  readonly shape?: readonly Dim[];
}

/** A named value's declared type: a graph input or output, or an intermediate's (value_info). */
export interface ValueInfo {
  /** The value's name: what nodes' inputs and outputs refer to. */
  name: string;
  /** Undefined for non-tensor types (sequence, map, optional); `proto` then carries the type. */
  type?: TensorType;
  /** The exporter's description, kept for the round trip. */
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
  /** The value name nodes read it by (an initializer's) or '' (an attribute's). */
  name: string;
  /** The element type, as `proto.data_type`. */
  dtype: DType;
  /** The shape: every dimension a fixed size. */
  dims: readonly number[];
  /** The stored message; a tensor a pass made has one too, written by `makeTensor()`. */
  readonly proto: onnx.ITensorProto;
}

/** An attribute, decoded for the types passes use; everything else stays in `proto`. */
export type AttributeValue =
  | {
      kind: 'float';
      /** AttributeProto.f. */
      value: number;
    }
  | {
      kind: 'int';
      /** AttributeProto.i, as a JS number (exact up to 2^53, which sizes, axes and flags stay within). */
      value: number;
    }
  | {
      kind: 'string';
      /** AttributeProto.s, decoded as UTF-8. */
      value: string;
    }
  | {
      kind: 'tensor';
      /** AttributeProto.t (a Constant's value, for one). */
      value: Tensor;
    }
  | {
      kind: 'floats';
      /** AttributeProto.floats. */
      value: number[];
    }
  | {
      kind: 'ints';
      /** AttributeProto.ints (pads, strides, perm…). */
      value: number[];
    }
  | {
      kind: 'strings';
      /** AttributeProto.strings, each decoded as UTF-8. */
      value: string[];
    }
  /** Graphs, sparse tensors, type protos and lists of them: carried through untouched. */
  | {
      kind: 'opaque';
      /** The whole message; If/Loop/Scan bodies are read from it by onnx/subgraph.ts. */
      value: onnx.IAttributeProto;
    };

/** A node attribute: its name and decoded value. */
export interface Attribute {
  /** The name the operator's schema gives it (`axis`, `kernel_shape`). */
  name: string;
  /** The decoded value; a pass that changes it makes a new Attribute without `proto`. */
  value: AttributeValue;
  /** The message this came from; serde re-emits it unchanged while `value` is the one decoded from it. */
  readonly proto?: onnx.IAttributeProto;
}

/** One operator application. */
export interface Node {
  /** Optional in ONNX: '' is common, so messages fall back to the position (infer's nodeLabel). */
  name: string;
  /** The operator (`Conv`, `Relu`), looked up in `domain` at the model's opset for that domain. */
  opType: string;
  /** '' is the default ONNX domain ('ai.onnx'). */
  domain: string;
  /** Value names; '' marks an omitted optional input, as in ONNX. */
  inputs: string[];
  /** Value names it produces; '' marks an optional output left unproduced. */
  outputs: string[];
  /** Its settings; those left out take the schema's defaults. */
  attributes: Attribute[];
  /** The exporter's description (often the source line that made the node), kept for the round trip. */
  docString?: string;
}

/** A graph: the model's main one, or the body of an If, Loop or Scan node. */
export interface Graph {
  /** As the file has it; nothing depends on it. */
  name: string;
  /** In topological order, as ONNX requires. */
  nodes: Node[];
  /** What a caller feeds; older exporters list the initializers here too (onnx/inputs' feedInputs leaves them out). */
  inputs: ValueInfo[];
  /** What a caller gets back, with their declared types. */
  outputs: ValueInfo[];
  /** Intermediate value types (shape inference results); may be empty. */
  valueInfo: ValueInfo[];
  /** The weights and other constants, by value name. */
  initializers: Tensor[];
  /** The exporter's description, kept for the round trip. */
  docString?: string;
  /** Graph fields the IR does not model (sparse initializers, quantization annotations), kept verbatim. */
  readonly extra?: Pick<onnx.IGraphProto, 'sparseInitializer' | 'quantizationAnnotation'>;
}

/** The operator set version a model uses for one domain: which version of each operator its nodes mean. */
export interface OpsetImport {
  /** '' (or 'ai.onnx') for the standard operators; others for contrib and custom operators. */
  domain: string;
  /** The operator set's version: an operator's inputs and attributes are those it had at this version. */
  version: number;
}

/** A whole model file: the main graph and what the file says about it. */
export interface Model {
  /** The file format's version (ModelProto.ir_version): what fields the file may use. */
  irVersion: number;
  /** One per domain its nodes use. */
  opsetImports: OpsetImport[];
  /** The exporter (`pytorch`, `tf2onnx`), as it named itself. */
  producerName: string;
  /** The exporter's version, as it gave it. */
  producerVersion: string;
  /** The model's own namespace (reverse-DNS by convention); usually ''. */
  domain: string;
  /** The model's own version number, as its author set it. */
  modelVersion: number;
  /** The author's description; '' when there is none. */
  docString: string;
  /** Free key/value pairs (metadata_props), kept for the round trip. */
  metadata: {
    /** The property's name. */
    key: string;
    /** The property's value, any string. */
    value: string;
  }[];
  /** The main graph: what running the model runs. */
  graph: Graph;
  /** Model fields the IR does not model (local functions, training info), kept verbatim. */
  readonly extra?: Pick<onnx.IModelProto, 'functions' | 'trainingInfo'>;
}
