/**
 * The compiled-PyTorch engine stages, one per precision, declared by the kit (torch/engine-stage.ts) as the
 * TensorRT ones are — torch.compile's portable cache, the AOTInductor package, torch-fused's plan: the build lives
 * in torch/, and only the build enters these stages' code identity.
 */
import { aotiEngineStage } from '../../torch/aoti-stage.js';
import { engineStage } from '../../torch/engine-stage.js';

export const torchCompileFp32 = engineStage('fp32');
export const torchCompileFp16 = engineStage('fp16');
export const torchAotiFp32 = aotiEngineStage('fp32');
export const torchAotiFp16 = aotiEngineStage('fp16');
export { torchFusedFp16 } from '../../torch/fused-stage.js';
