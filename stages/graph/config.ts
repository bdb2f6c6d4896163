/** The `graph` section: how the network drawings look. */
export interface GraphConfig {
  rankdir: 'TB' | 'LR';
  /** Draw a node's attributes (kernel, stride, group) under its op type. */
  attributes: boolean;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    rankdir: { enum: ['TB', 'LR'], default: 'TB', description: 'Top-to-bottom or left-to-right layout.' },
    attributes: { type: 'boolean', default: true, description: 'Show kernel, stride and group in node labels.' },
  },
} as const;
