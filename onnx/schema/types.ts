/**
 * The shape of the operator schema table: per operator, each version as ONNX defines it (the version
 * that applies at opset N is the one with the greatest `since` ≤ N).
 */

export type ParamKind = 'single' | 'optional' | 'variadic';

export interface ParamSchema {
  name: string;
  kind: ParamKind;
  /** A type parameter (`T`) named in `types`, or a literal type string such as `tensor(int64)`. */
  type: string;
  /** A variadic parameter whose values may differ in type (ONNX's `is_homogeneous = false`). */
  heterogeneous?: boolean;
}

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

export interface AttrSchema {
  name: string;
  type: AttrType;
  required: boolean;
  default?: number | string | number[] | string[];
}

export interface OpVersion {
  since: number;
  deprecated?: boolean;
  inputs: ParamSchema[];
  outputs: ParamSchema[];
  minInputs: number;
  maxInputs: number;
  minOutputs: number;
  maxOutputs: number;
  attributes: AttrSchema[];
  /** Type parameter → the type strings it may bind to (`tensor(float)`, `seq(tensor(float))`...). */
  types: Record<string, string[]>;
}

export type OpTable = Readonly<Record<string, readonly OpVersion[]>>;
