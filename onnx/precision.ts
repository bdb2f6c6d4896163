/**
 * The numeric precisions a model is converted, built and measured at: the one list the config schema
 * (bench.precisions), the CLI's `--precision`, the runners and the stage tags read. Adding one here makes it a
 * choice everywhere; the places that must really handle it (a conversion, an engine flag) then say so to the
 * compiler through the `Record<Precision, …>` tables they keep.
 */
export const PRECISIONS = ['fp32', 'fp16'] as const;

/** One of PRECISIONS. */
export type Precision = (typeof PRECISIONS)[number];

/** Whether `v` (an option's value, a parsed field) is one of PRECISIONS. */
export const isPrecision = (v: unknown): v is Precision => (PRECISIONS as readonly unknown[]).includes(v);
