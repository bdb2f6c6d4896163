/**
 * Where stages take their model from. The source: the imported file, else the built MobileNetV2 (one of the
 * two applies to a config). The latest: the optimized model, else the source when optimize declined.
 */
import type { InputRef } from '../pipeline/stage.js';

export const sourceModel: InputRef = {
  stage: 'import',
  output: 'model',
  fallback: { stage: 'build', output: 'model' },
};

export const latestModel: InputRef = { stage: 'optimize', output: 'model', fallback: sourceModel };
