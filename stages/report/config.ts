/** The `report` section. */
export interface ReportConfig {
  title: string;
  /** PNG charts are rendered at this multiple of their SVG size. */
  png_scale: number;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    title: { type: 'string', minLength: 1, default: 'enginefoundry benchmark report' },
    png_scale: { type: 'number', minimum: 0.5, maximum: 4, default: 2 },
  },
} as const;
