/**
 * Test rig for the TensorRT stages: a temp workspace, a PATH holding only the chosen fakes (trtexec,
 * nvidia-smi, docker from test/fixtures/bin) and node, tiny real ONNX models, the recorded calls, and a
 * hand-made StageContext for calling a stage's run() directly.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
import { exec } from '../../../pipeline/execute/exec.js';
import type { StageContext, ToolFound } from '../../../pipeline/stage.js';
import { fromRoot } from '../../repo-root.js';

export const FAKE_BIN = fromRoot('test/fixtures/bin') + '/';
export const REAL_LOGS = fromRoot('test/fixtures/trtexec-real') + '/';
/** Logs written for this project in trtexec's format, not recordings (their README says what each stands for). */
export const AUTHORED_LOGS = fromRoot('test/fixtures/trtexec-authored') + '/';

export const LOG = {
  v86: join(REAL_LOGS, 'trt-8.6.0-resnet50-fp32-rtx3060laptop.log'),
  v10: join(REAL_LOGS, 'trt-10.16.0-mnistcnn-build-only-dumpLayerInfo-rtx6000ada.log'),
  v10h100: join(AUTHORED_LOGS, 'trt-10.16.0-build-only-h100.authored.log'),
  v11: join(AUTHORED_LOGS, 'trt-11.4.0-build-only-rtx6000ada.authored.log'),
  bench: join(AUTHORED_LOGS, 'trt-10.16.0-loadengine-bench-b4.authored.log'),
  bench11: join(AUTHORED_LOGS, 'trt-11.4.0-loadengine-bench-b4.authored.log'),
  times: join(REAL_LOGS, 'trt-8.x-resnet50-tf-fp16-rtx3090.exportTimes.first10.json'),
} as const;

export const GPU = {
  ada: 'NVIDIA RTX 6000 Ada Generation, 8.9, 550.54.14',
  laptop: 'NVIDIA GeForce RTX 3060 Laptop GPU, 8.6, 536.23',
  h100: 'NVIDIA H100 PCIe, 9.0, 550.54.14',
} as const;

/** The fake's engine file (test/fixtures/fake-trtexec/model.cjs): a header line, then the ONNX it holds. */
interface FakeEngineFile {
  writeEngine(path: string, versionTag: string, header: object, onnx: Uint8Array): void;
  readEngine(path: string): { versionTag: string; header: FakeEngineHeader; onnx: Uint8Array } | undefined;
}
export interface FakeEngineHeader {
  typed: boolean;
  weakFp16: boolean;
  int8: boolean;
  profile: Record<string, { min: number[]; opt: number[]; max: number[] }>;
  workspaceBytes?: number;
}
export const fakeEngineFile = createRequire(import.meta.url)(
  fromRoot('test/fixtures/fake-trtexec/model.cjs'),
) as FakeEngineFile;
export const TAG = {
  v10: '[TensorRT v101600] [b72]',
  v11: '[TensorRT v110400] [b12]',
  v86: '[TensorRT v8600]',
} as const;

/** An engine as the fake builds it: `onnx` inside, built with `profile` by the TensorRT of `tag`. */
export function fakeEngine(path: string, onnx: string, tag: string, profile: FakeEngineHeader['profile'] = {}) {
  const header: FakeEngineHeader = { typed: true, weakFp16: false, int8: false, profile };
  fakeEngineFile.writeEngine(path, tag, header, readFileSync(onnx));
  return path;
}

export interface Call {
  tool: string;
  argv: string[];
}

export class Rig {
  readonly root = mkdtempSync(join(tmpdir(), 'ef-trt-'));
  readonly bin = join(this.root, 'bin');
  readonly callsFile = join(this.root, 'calls.ndjson');
  /** The one folder the probe searches after PATH, empty: never this machine's /opt/tensorrt/bin and the like. */
  readonly installDir = join(this.root, 'opt', 'tensorrt', 'bin');

  /**
   * Puts only `tools` (wrappers around the fakes) and node on PATH, and sets the fakes' environment. PATH is this
   * rig's folder alone (node's own folder is /usr/bin on Debian, where a real docker or nvidia-smi would be found),
   * and the install folders searched after it are one empty folder of the rig's.
   */
  constructor(tools: readonly ('trtexec' | 'nvidia-smi' | 'docker')[], env: Record<string, string> = {}) {
    mkdirSync(this.bin);
    symlinkSync(process.execPath, join(this.bin, 'node'));
    for (const t of tools) {
      const p = join(this.bin, t);
      writeFileSync(p, `#!/bin/sh\nexec ${join(FAKE_BIN, t)} "$@"\n`);
      chmodSync(p, 0o755);
    }
    process.env.PATH = this.bin;
    process.env.ENGINEFOUNDRY_TRTEXEC_DIRS = this.installDir;
    process.env.FAKE_TRT_ARGV = this.callsFile;
    for (const k of [
      'FAKE_TRT_LOG',
      'FAKE_GPU',
      'FAKE_SMI_FAIL',
      'FAKE_DOCKER_IMAGES',
      'FAKE_TRT_TIMES',
      'FAKE_TRT_CRASH',
    ])
      delete process.env[k];
    Object.assign(process.env, env);
  }

  calls(tool?: string): Call[] {
    if (!existsSync(this.callsFile)) return [];
    const all = readFileSync(this.callsFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);
    return tool ? all.filter((c) => c.tool === tool) : all;
  }

  /** A tiny real ONNX model (Relu) with input `input` [N|batch, 3, 8, 8]. */
  model(name: string, batch: number | 'N'): string {
    const p = join(this.root, name);
    writeFileSync(p, modelBytes(batch));
    return p;
  }

  /** A StageContext as the runner would give it: outputs in a fresh dir, persistent files in a fixed one. */
  context<C>(config: C, inputs: Record<string, string | undefined>, tool: ToolFound, run = 'run') {
    const outDir = join(this.root, run, 'out');
    const workDir = join(this.root, run, 'work');
    const persistentDir = join(this.root, 'persistent');
    for (const d of [outDir, workDir, persistentDir]) mkdirSync(d, { recursive: true });
    const messages: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const ctx: StageContext<C> = {
      config,
      inputs,
      out: (label) => join(outDir, label),
      persistent: (name) => join(persistentDir, name),
      workDir,
      tools: { trtexec: tool },
      exec,
      log: {
        info: (message, fields) => messages.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
        warn: (message, fields) => messages.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
        progress: () => {},
      },
      signal: new AbortController().signal,
      options: {},
    };
    return { ctx, outDir, workDir, persistentDir, messages };
  }
}

export function modelBytes(batch: number | 'N'): Uint8Array {
  const dims = [
    batch === 'N' ? { dimParam: 'N' } : { dimValue: batch },
    { dimValue: 3 },
    { dimValue: 8 },
    { dimValue: 8 },
  ];
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'enginefoundry-test',
    graph: {
      name: 'g',
      node: [{ opType: 'Relu', input: ['input'], output: ['output'], name: 'relu' }],
      input: [{ name: 'input', type: { tensorType: { elemType: 1, shape: { dim: dims } } } }],
      output: [{ name: 'output', type: { tensorType: { elemType: 1, shape: { dim: dims } } } }],
    },
  }).finish();
}
