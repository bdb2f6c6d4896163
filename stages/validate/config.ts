/**
 * What `validate` reads: its own `validate` section. It checks a model against the opsets that model
 * imports; `model.opset` describes the model the build stage writes, not what validate accepts.
 */

export interface ValidateConfig {
  /** Fail the stage when a node's operator is outside the schema table, instead of a warning. */
  fail_on_unchecked: boolean;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    fail_on_unchecked: { type: 'boolean', default: false },
  },
} as const;

function section(root: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  const s = root[name];
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}

/** Reads a config the runner has already checked against the composed schema. */
export function validateConfig(root: Readonly<Record<string, unknown>>): ValidateConfig {
  const failOnUnchecked = section(root, 'validate').fail_on_unchecked;
  return { fail_on_unchecked: typeof failOnUnchecked === 'boolean' ? failOnUnchecked : false };
}
