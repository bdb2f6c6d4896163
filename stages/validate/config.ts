/**
 * What `validate` reads: the target opset from the `model` section (the model must declare exactly that
 * opset) and its own `validate` section.
 */
import { defaults as modelDefaults } from '../build/config.js';

export interface ValidateSection {
  /** Fail the stage when a node's operator is outside the schema table, instead of a warning. */
  fail_on_unchecked: boolean;
}

export interface ValidateConfig extends ValidateSection {
  /** The opset the built model must declare; absent for a model the user brings, which is checked at its own. */
  opset?: number;
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
  const opset = section(root, 'model').opset;
  const failOnUnchecked = section(root, 'validate').fail_on_unchecked;
  // model.opset applies to the built model only.
  const imported = typeof section(root, 'model').path === 'string';
  return {
    ...(imported ? {} : { opset: typeof opset === 'number' ? opset : modelDefaults.opset }),
    fail_on_unchecked: typeof failOnUnchecked === 'boolean' ? failOnUnchecked : false,
  };
}
