/**
 * The `trtexec` tool probe: finds trtexec (locally or as a Docker image), reads its version from the
 * `--help` banner and the GPU from nvidia-smi. All of it is the fingerprint, so an engine is keyed to the
 * TensorRT build, GPU model, compute capability and driver that made it.
 */
import type { Exec } from '../pipeline/execute/exec.js';
import { err, ok } from '../pipeline/result.js';
import type { ToolProbe, ToolSpec } from '../pipeline/stage.js';
import { commandFor, locateTrtexec, type LocateOptions } from './locate.js';
import { probeGpu } from '../measure/gpu.js';
import { formatVersion, parseBanner } from './parse-log.js';

const firstLines = (text: string, n = 3): string => text.trim().split('\n').slice(0, n).join(' / ');

async function dockerImageDigest(exec: Exec, docker: string, image: string) {
  const run = await exec(docker, ['image', 'inspect', '--format={{.Id}} {{join .RepoDigests " "}}', '--', image]);
  if (run.exitCode !== 0) {
    return err({
      reason:
        `docker image ${image} is not present locally ` +
        `(docker image inspect: ${firstLines(run.stderr) || run.exitCode}); ` +
        `run \`docker pull ${image}\` or set trt.docker.image`,
    });
  }
  const [id, ...repoDigests] = run.stdout.trim().split(/\s+/);
  // A pulled image has a registry digest; one built locally from docker/Dockerfile has only its image ID.
  return ok(repoDigests.find((d) => d.includes('@sha256:'))?.split('@')[1] ?? id ?? '');
}

export async function probeTrtexec(o: LocateOptions, exec: Exec): Promise<ToolProbe> {
  const env = o.env ?? process.env;
  const location = await locateTrtexec(o);
  if (!location.ok) return location;
  const gpu = await probeGpu(exec, env);
  if (!gpu.ok) return gpu;
  let digest: string | undefined;
  if (location.value.kind === 'docker') {
    const d = await dockerImageDigest(exec, location.value.docker, location.value.image);
    if (!d.ok) return d;
    digest = d.value;
  }
  const command = commandFor(location.value);
  const help = await exec(command[0]!, [...command.slice(1), '--help'], { timeoutMs: 120_000 });
  const banner = help.stdout
    .split('\n')
    .map(parseBanner)
    .find((b) => b !== undefined);
  if (help.exitCode !== 0 || !banner) {
    const exit = help.exitCode ?? help.signal ?? help.spawnError;
    const said = firstLines(help.stderr || help.stdout) || '(no output)';
    return err({ reason: `${command.join(' ')} --help did not print a TensorRT banner (exit ${exit}): ${said}` });
  }
  return ok({
    command,
    fingerprint: {
      tensorrt: formatVersion(banner.version),
      ...(banner.build !== undefined ? { build: banner.build } : {}),
      gpu: gpu.value.name,
      computeCapability: gpu.value.computeCapability,
      driver: gpu.value.driver,
      ...(location.value.kind === 'docker' ? { image: location.value.image, digest: digest ?? '' } : {}),
    },
  });
}

export const trtexecTool = <C extends Pick<LocateOptions, 'trtexec' | 'docker'>>(): ToolSpec<C> => ({
  name: 'trtexec',
  probe: (config, exec) => probeTrtexec({ trtexec: config.trtexec, docker: config.docker }, exec),
});
