/** What the checker found, as written to `validation.json`. */

export interface Issue {
  /** Kebab-case and stable, so tests and tools can match on it: `undefined-input`, `op-not-in-opset`... */
  code: string;
  message: string;
  /** The node's name, or `#index opType` for an unnamed node. */
  node?: string;
  /** The field at fault: `input[1]`, `attribute 'pads'`, `initializer 'w'`, `ir_version`... */
  field?: string;
  /** The nested graph the node is in: `If_0.then_branch`, deeper ones joined by `/`; absent for the main graph. */
  graph?: string;
}

export interface UncheckedOp {
  opType: string;
  domain: string;
  /** Node labels; a node of a nested graph is prefixed with the graph's path (`If_0.else_branch/Mul_3`). */
  nodes: string[];
}

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

export interface ValidationReport {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
  /** Operators outside the schema table: their nodes were not checked against a schema. */
  unchecked: UncheckedOp[];
  nodes: NodeCounts;
  /** The default-domain opset the model was checked at: the one it imports. */
  opset: number;
  irVersion: number;
}
