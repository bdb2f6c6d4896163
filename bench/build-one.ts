/** One whole process: build MobileNetV2, validate it, write model.onnx — what bench/build.ts times against Python. */
import { writeModelFile } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaults } from '../stages/build/config.js';
import { buildMobileNetV2 } from '../stages/build/mobilenetv2.js';

const model = buildMobileNetV2(defaults);
if (!validateModel(model).ok) throw new Error('Internal error: the built model does not validate');
await writeModelFile(process.argv[2] ?? 'model.onnx', model);
