/** The `graph` section: how the network drawings look. */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section } from '../../pipeline/config/section.js';

export const schema = Section({
  rankdir: Enum(['TB', 'LR'], { default: 'TB', description: 'Top-to-bottom or left-to-right layout.' }),
  attributes: Type.Boolean({ default: true, description: 'Show kernel, stride and group in node labels.' }),
});

export type GraphConfig = Static<typeof schema>;

export const graphConfig = (root: Readonly<Record<string, unknown>>): GraphConfig =>
  configSection(root, 'graph', schema);
