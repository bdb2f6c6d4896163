/** The `report` section. */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Section } from '../../pipeline/config/section.js';

export const schema = Section({
  title: Type.String({ minLength: 1, default: 'enginefoundry benchmark report' }),
  png_scale: Type.Number({
    minimum: 0.5,
    maximum: 4,
    default: 2,
    description: 'PNG charts are rendered at this multiple of their SVG size.',
  }),
});

export type ReportConfig = Static<typeof schema>;

export const reportConfig = (root: Readonly<Record<string, unknown>>): ReportConfig =>
  configSection(root, 'report', schema);
