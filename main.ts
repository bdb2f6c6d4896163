/** The CLI with this project's stages: what `pipeline.mjs` loads, bundled into dist/cli/ by scripts/bundle.mjs. */
export { main } from './pipeline/cli/cli.js';
export { registry } from './stages/index.js';
