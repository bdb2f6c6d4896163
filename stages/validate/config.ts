/**
 * What `validate` reads: its own `validate` section. It checks a model against the opsets that model
 * imports; `model.opset` describes the model the build stage writes, not what validate accepts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Section } from '../../pipeline/config/section.js';

export const schema = Section({
  fail_on_unchecked: Type.Boolean({
    default: false,
    description: "Fail the stage when a node's operator is outside the schema table, instead of a warning.",
  }),
});

export type ValidateConfig = Static<typeof schema>;

export const validateConfig = (root: Readonly<Record<string, unknown>>): ValidateConfig =>
  configSection(root, 'validate', schema);
