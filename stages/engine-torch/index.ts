/**
 * The compiled-PyTorch engines, one stage per precision (as the TensorRT engines are): torch.compile's portable
 * cache and the AOTInductor package.
 */
import { aotiEngineStage } from './aoti-stage.js';
import { compileEngineStage } from './engine-stage.js';

export const torchCompileFp32 = compileEngineStage('fp32');
export const torchCompileFp16 = compileEngineStage('fp16');
export const torchAotiFp32 = aotiEngineStage('fp32');
export const torchAotiFp16 = aotiEngineStage('fp16');
