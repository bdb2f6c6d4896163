import type { Model } from '../ir.js';

/** The opset the model imports for a domain ('' and 'ai.onnx' are the same default domain); 0 if none. */
export function opsetVersion(model: Model, domain = ''): number {
  const want = domain === 'ai.onnx' ? '' : domain;
  const found = model.opsetImports.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === want);
  return found?.version ?? 0;
}
