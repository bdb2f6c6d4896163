/**
 * The shape of the operator schema table: per operator, each version as ONNX defines it (the version
 * that applies at opset N is the one with the greatest `since` ≤ N).
 */

/** ONNX's FormalParameterOption: exactly one value, one that may be left out (''), or any number from here on. */
export type ParamKind = 'single' | 'optional' | 'variadic';

/** One formal input or output of an operator version. */
export interface ParamSchema {
  /** Its name in the operator's documentation (`X`, `W`, `B`); messages name a node's slot by it. */
  name: string;
  /** How many values a node gives it. */
  kind: ParamKind;
  /** A type parameter (`T`) named in `types`, or a literal type string such as `tensor(int64)`. */
  type: string;
  /** A variadic parameter whose values may differ in type (ONNX's `is_homogeneous = false`). */
  heterogeneous?: boolean;
}

/** An attribute's type as the schema declares it: AttributeProto.AttributeType, lowercase. */
export type AttrType =
  | 'float'
  | 'int'
  | 'string'
  | 'tensor'
  | 'graph'
  | 'sparse_tensor'
  | 'type_proto'
  | 'floats'
  | 'ints'
  | 'strings'
  | 'tensors'
  | 'graphs'
  | 'sparse_tensors'
  | 'type_protos';

/** One attribute an operator version declares. */
export interface AttrSchema {
  /** As a node names it (`axis`, `kernel_shape`). */
  name: string;
  /** What a node's value for it must be. */
  type: AttrType;
  /** A node without it is invalid. */
  required: boolean;
  /** The value a node that leaves it out has; scalar and list defaults only (no operator has another kind). */
  default?: number | string | number[] | string[];
}

/** One version of an operator: what it is from opset `since` until its next version. */
export interface OpVersion {
  /** The opset that introduced this version. */
  since: number;
  /** A node using it is an error (Upsample from 10, Scatter from 11): a replacement exists. */
  deprecated?: boolean;
  /** Its formal inputs, in order. */
  inputs: ParamSchema[];
  /** Its formal outputs, in order. */
  outputs: ParamSchema[];
  /** The fewest inputs a node may give. */
  minInputs: number;
  /** The most inputs a node may give (2^31 − 1 for a variadic one). */
  maxInputs: number;
  /** The fewest outputs a node may name. */
  minOutputs: number;
  /** The most outputs a node may name (2^31 − 1 for a variadic one). */
  maxOutputs: number;
  /** Every attribute it declares. */
  attributes: AttrSchema[];
  /** Type parameter → the type strings it may bind to (`tensor(float)`, `seq(tensor(float))`...). */
  types: Record<string, string[]>;
}

/** Operator name → every version it has had (onnx/schema/table.ts, generated); lookup.ts picks the one in force. */
export type OpTable = Readonly<Record<string, readonly OpVersion[]>>;
