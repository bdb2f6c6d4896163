/**
 * Three stages from one definition: the FP32, FP16 and INT8 TensorRT engines. The registry lists them all.
 */
import { engineStage } from './engine-stage.js';

export const trtFp32 = engineStage('fp32');
export const trtFp16 = engineStage('fp16');
export const trtInt8 = engineStage('int8');
