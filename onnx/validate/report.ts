/** What the checker found, as written to `validation.json`. */

export interface Issue {
  /** Kebab-case and stable, so tests and tools can match on it: `undefined-input`, `op-not-in-opset`... */
  code: string;
  message: string;
  /** The node's name, or `#index opType` for an unnamed node. */
  node?: string;
  /** The field at fault: `input[1]`, `attribute 'pads'`, `initializer 'w'`, `ir_version`... */
  field?: string;
}

export interface UncheckedOp {
  opType: string;
  domain: string;
  nodes: string[];
}

export interface ValidationReport {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
  /** Operators outside the schema table: their nodes were not checked against a schema. */
  unchecked: UncheckedOp[];
  /** The default-domain opset the model was checked at. */
  opset: number;
  irVersion: number;
}
