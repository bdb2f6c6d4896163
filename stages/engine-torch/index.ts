/**
 * The compiled-PyTorch engines, one stage per precision (as the TensorRT engines are).
 */
import { compileEngineStage } from './engine-stage.js';

export const torchCompileFp32 = compileEngineStage('fp32');
export const torchCompileFp16 = compileEngineStage('fp16');
export { torchFusedFp16 } from './fused-stage.js';
