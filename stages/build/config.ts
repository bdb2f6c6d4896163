/** The `model` section: what the build stage makes. Every field has a default, so `model: {}` is MobileNetV2. */
export interface ModelConfig {
  arch: 'mobilenetv2';
  width_mult: number;
  input_size: number;
  num_classes: number;
  opset: number;
  seed: number;
  dynamic_batch: boolean;
  batch_size: number;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    arch: { enum: ['mobilenetv2'], default: 'mobilenetv2', description: 'Network architecture.' },
    width_mult: { type: 'number', exclusiveMinimum: 0, maximum: 4, default: 1.0, description: 'Channel multiplier.' },
    input_size: { type: 'integer', minimum: 32, maximum: 1024, default: 224, description: 'Input height and width in pixels.' },
    num_classes: { type: 'integer', minimum: 1, default: 1000 },
    opset: { type: 'integer', minimum: 11, maximum: 17, default: 17, description: 'Default-domain opset the graph targets.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the deterministic weights.' },
    dynamic_batch: { type: 'boolean', default: false, description: 'Symbolic batch dimension instead of batch_size.' },
    batch_size: { type: 'integer', minimum: 1, default: 1, description: 'The static batch dimension.' },
  },
} as const;

export const defaults: ModelConfig = {
  arch: 'mobilenetv2', width_mult: 1.0, input_size: 224, num_classes: 1000, opset: 17, seed: 0, dynamic_batch: false, batch_size: 1,
};
