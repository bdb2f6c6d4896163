/** What the checker found, as written to `validation.json`. */

/** One thing the checker found wrong (an error) or doubtful (a warning). */
export interface Issue {
  /** Kebab-case and stable, so tests and tools can match on it: `undefined-input`, `op-not-in-opset`... */
  code: string;
  /** What is wrong, naming the node and field, in one sentence. */
  message: string;
  /** The node's name, or `#index opType` for an unnamed node. */
  node?: string;
  /** The field at fault: `input[1]`, `attribute 'pads'`, `initializer 'w'`, `ir_version`... */
  field?: string;
  /** The nested graph the node is in: `If_0.then_branch`, deeper ones joined by `/`; absent for the main graph. */
  graph?: string;
}

/** An operator the schema table does not cover, with the nodes that use it. */
export interface UncheckedOp {
  /** The operator's name. */
  opType: string;
  /** Its domain (`com.microsoft`, `ai.onnx.ml`). */
  domain: string;
  /** Node labels; a node of a nested graph is prefixed with the graph's path (`If_0.else_branch/Mul_3`). */
  nodes: string[];
}

/** How many nodes the model has, and how many of them the checker could check. */
export interface NodeCounts {
  /** Every node, those in If/Loop/Scan bodies (at any depth) included. */
  total: number;
  /** Of which inside nested graphs. */
  inSubgraphs: number;
  /** How many nested graphs there are. */
  subgraphs: number;
  /** Checked against their operator's schema. */
  checked: number;
  /** Not checked: their operator is outside the schema table (another domain). */
  unchecked: number;
}

/** The whole verdict on a model: what `validation.json` holds. */
export interface ValidationReport {
  /** No errors (warnings allowed): the model is valid at its opset. */
  ok: boolean;
  /** What makes the model invalid. */
  errors: Issue[];
  /** What is not an error but worth saying: one per operator whose nodes went unchecked. */
  warnings: Issue[];
  /** Operators outside the schema table: their nodes were not checked against a schema. */
  unchecked: UncheckedOp[];
  /** How much of the model was checked. */
  nodes: NodeCounts;
  /** The default-domain opset the model was checked at: the one it imports. */
  opset: number;
  /** The file format version the model declares (ir_version). */
  irVersion: number;
}
