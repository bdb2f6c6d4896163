/**
 * The MobileNetV2 the benchmark tests measure: width 0.25, 32×32 input, 10 classes, a symbolic batch — small
 * enough for PyTorch on one CPU thread — as the build stage makes it, optimized by the default passes, and in
 * float16 as convert:fp16 makes it.
 */
import type { Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { DELICATE_OPS } from '../../../stages/convert-fp16/config.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { defaults as optimizeDefaults } from '../../../stages/optimize/config.js';
import { passesByName } from '../../../stages/optimize/passes/index.js';

const passes = await passesByName(optimizeDefaults.passes);

export const tinyConfig = { ...modelDefaults, width_mult: 0.25, input_size: 32, num_classes: 10, dynamic_batch: true };

export function tinyMobileNet(): { raw: Model; opt: Model; fp16: Model } {
  const raw = buildMobileNetV2(tinyConfig);
  const opt = runPasses(raw, passes).model;
  const fp16 = convertFloat16(opt, { keepFp32: [...DELICATE_OPS], keepIoFp32: true });
  if (!fp16.ok) throw new Error(`the tiny MobileNetV2 does not convert to float16: ${fp16.error}`);
  return { raw, opt, fp16: fp16.value.model };
}
