/**
 * The project's Python (.venv, made by `make test` from requirements-test.txt): torch 2.13 for the CPU and
 * onnx 1.23. Tests that check our engines or the opsets 18 to 21 run it; Debian's /usr/bin/python3 stays the
 * reference where a test compares with torchvision or onnx 1.12.
 */
import { fromRoot } from './repo-root.js';

export const projectPython = fromRoot('.venv/bin/python3');
