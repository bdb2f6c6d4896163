/**
 * The seeded inputs a numeric check runs on; optimize, convert:fp16 and quantize:int8 all check this way. The batch
 * is bounded: a few samples prove a rewrite, and a huge one would be refused later as an input's size, far from its
 * field. It lives apart from the `optimize` section, whose pass list reaches every pass, so that the other two read
 * it without optimize's passes entering their code identity.
 */
import { Type } from '@sinclair/typebox';
import { Section } from '../../pipeline/config/section.js';

export const checkSchema = Section({
  seed: Type.Integer({ minimum: 0, default: 0 }),
  batch: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
});
