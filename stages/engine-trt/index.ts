/**
 * Two stages from one definition: the FP32 and the FP16 TensorRT engine. The registry lists both.
 */
import { engineStage } from './engine-stage.js';

export const trtFp32 = engineStage('fp32');
export const trtFp16 = engineStage('fp16');
