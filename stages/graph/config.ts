/** The `graph` section: how the network drawings look. */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section } from '../../pipeline/config/section.js';
import { givenModel } from '../../source/given.js';

export const schema = Section({
  rankdir: Enum(['TB', 'LR'], { default: 'TB', description: 'Top-to-bottom or left-to-right layout.' }),
  attributes: Type.Boolean({ default: true, description: 'Show kernel, stride and group in node labels.' }),
});

export type GraphConfig = Static<typeof schema>;

/** With the user's model, its name (the drawings' title says it); the built MobileNetV2's key is unchanged. */
export type GraphStageConfig = GraphConfig & { model?: string };

export const graphConfig = (root: Readonly<Record<string, unknown>>): GraphStageConfig => {
  const given = givenModel(root);
  return { ...configSection(root, 'graph', schema), ...(given ? { model: given.name } : {}) };
};
