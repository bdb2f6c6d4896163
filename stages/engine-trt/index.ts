/**
 * The TensorRT engine stages, one per precision, declared by the kit (trt/engine-stage.ts): the build lives in
 * trt/ beside the runner, and only the build enters these stages' code identity. The registry lists both.
 */
import { engineStage } from '../../trt/engine-stage.js';

export const trtFp32 = engineStage('fp32');
export const trtFp16 = engineStage('fp16');
export const trtInt8 = engineStage('int8');
