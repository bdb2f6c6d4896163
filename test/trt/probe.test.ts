/**
 * The trtexec probe against fake trtexec / nvidia-smi / docker on a controlled PATH: where it looks, what it
 * asks (checked through the recorded argv), and the fingerprint or skip reason it returns.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { probeTrtexec } from '../../trt/probe.js';
import { FAKE_BIN, GPU, LOG, Rig } from '../stages/engine-trt/rig.js';

const docker = { enabled: true, image: 'nvcr.io/nvidia/tensorrt:24.08-py3' };
const SMI = ['--query-gpu=name,compute_cap,driver_version', '--format=csv,noheader'];

test('trtexec 10.16 on PATH: version and build from the --help banner, GPU from nvidia-smi', async () => {
  const rig = new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_GPU: GPU.ada });
  const r = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value, {
    command: [join(rig.bin, 'trtexec')],
    fingerprint: {
      tensorrt: '10.16.0',
      build: '72',
      gpu: 'NVIDIA RTX 6000 Ada Generation',
      computeCapability: '8.9',
      driver: '550.54.14',
    },
  });
  assert.deepEqual(rig.calls(), [
    { tool: 'nvidia-smi', argv: SMI },
    { tool: 'trtexec', argv: ['--help'] },
  ]);
});

test('trtexec 8.6 has no build number in its banner', async () => {
  new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v86, FAKE_GPU: GPU.laptop });
  const r = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(r.ok);
  assert.deepEqual(r.value.fingerprint, {
    tensorrt: '8.6.0',
    gpu: 'NVIDIA GeForce RTX 3060 Laptop GPU',
    computeCapability: '8.6',
    driver: '536.23',
  });
});

test('trt.trtexec wins over PATH; an install directory is searched when PATH has none', async () => {
  const rig = new Rig(['nvidia-smi'], { FAKE_TRT_LOG: LOG.v10 });
  const dir = join(rig.root, 'opt-tensorrt-bin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'trtexec'), `#!/bin/sh\nexec ${join(FAKE_BIN, 'trtexec')} "$@"\n`);
  chmodSync(join(dir, 'trtexec'), 0o755);
  const fromDir = await probeTrtexec({ trtexec: '', docker, installDirs: ['/nonexistent', dir] }, exec);
  assert.ok(fromDir.ok);
  assert.deepEqual(fromDir.value.command, [join(dir, 'trtexec')]);
  const explicit = await probeTrtexec({ trtexec: join(FAKE_BIN, 'trtexec'), docker }, exec);
  assert.ok(explicit.ok);
  assert.deepEqual(explicit.value.command, [join(FAKE_BIN, 'trtexec')]);
  const bad = await probeTrtexec({ trtexec: join(rig.root, 'nope'), docker }, exec);
  assert.ok(!bad.ok);
  assert.match(bad.error.reason, /trt\.trtexec is set to .*nope, which is not an executable file/);
});

test('no trtexec and no docker: a skip reason naming every place searched, and nothing run', async () => {
  const rig = new Rig(['nvidia-smi']);
  const r = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(!r.ok);
  assert.equal(
    r.error.reason,
    'trtexec not found on PATH or in /opt/tensorrt/bin, /workspace/tensorrt/bin, /usr/src/tensorrt/bin, ' +
      'and no docker on PATH; install TensorRT or set trt.trtexec / trt.docker.image',
  );
  assert.deepEqual(rig.calls(), []);
  const off = await probeTrtexec({ trtexec: '', docker: { ...docker, enabled: false } }, exec);
  assert.ok(!off.ok);
  assert.match(off.error.reason, /\(trt\.docker\.enabled is false\)/);
});

test('no GPU: nvidia-smi missing or failing is a skip reason', async () => {
  new Rig(['trtexec'], { FAKE_TRT_LOG: LOG.v10 });
  const missing = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(!missing.ok);
  assert.match(missing.error.reason, /^no NVIDIA GPU found: nvidia-smi is not on PATH/);
  new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_SMI_FAIL: '1' });
  const failing = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(!failing.ok);
  assert.match(failing.error.reason, /^no usable NVIDIA GPU: .* exited 9: NVIDIA-SMI has failed/);
});

test('Docker: image must be present; then trtexec runs in it and the image digest enters the fingerprint', async () => {
  const absent = new Rig(['docker', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10 });
  const r1 = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(!r1.ok);
  assert.match(
    r1.error.reason,
    new RegExp(
      String.raw`^docker image nvcr\.io/nvidia/tensorrt:24\.08-py3 is not present locally ` +
        String.raw`.*run \`docker pull nvcr\.io/nvidia/tensorrt:24\.08-py3\``,
    ),
  );
  assert.equal(absent.calls('docker').length, 1);

  const rig = new Rig(['docker', 'nvidia-smi'], { FAKE_TRT_LOG: LOG.v10, FAKE_DOCKER_IMAGES: docker.image });
  const r = await probeTrtexec({ trtexec: '', docker }, exec);
  assert.ok(r.ok, JSON.stringify(r));
  const user = `${process.getuid!()}:${process.getgid!()}`;
  assert.deepEqual(r.value.command, [
    join(rig.bin, 'docker'),
    'run',
    '--rm',
    '--gpus',
    'all',
    '--user',
    user,
    '--',
    docker.image,
    'trtexec',
  ]);
  assert.deepEqual(r.value.fingerprint, {
    tensorrt: '10.16.0',
    build: '72',
    gpu: 'NVIDIA RTX 6000 Ada Generation',
    computeCapability: '8.9',
    driver: '550.54.14',
    image: docker.image,
    digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
  });
  assert.deepEqual(
    rig.calls('docker').map((c) => c.argv),
    [
      ['image', 'inspect', '--format={{.Id}} {{join .RepoDigests " "}}', '--', docker.image],
      ['run', '--rm', '--gpus', 'all', '--user', user, '--', docker.image, 'trtexec', '--help'],
    ],
  );
});

test('the fingerprint is stable for the same setup and changes with TensorRT version, GPU or driver', async () => {
  const fp = async (log: string, gpu: string) => {
    new Rig(['trtexec', 'nvidia-smi'], { FAKE_TRT_LOG: log, FAKE_GPU: gpu });
    const r = await probeTrtexec({ trtexec: '', docker }, exec);
    assert.ok(r.ok);
    return r.value.fingerprint;
  };
  const a = await fp(LOG.v10, GPU.ada);
  assert.deepEqual(await fp(LOG.v10, GPU.ada), a);
  assert.notDeepEqual(await fp(LOG.v86, GPU.ada), a);
  assert.notDeepEqual(await fp(LOG.v10, GPU.h100), a);
  assert.notDeepEqual(await fp(LOG.v10, 'NVIDIA RTX 6000 Ada Generation, 8.9, 560.28.03'), a);
});
