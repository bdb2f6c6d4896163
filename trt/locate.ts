/**
 * Where trtexec lives: the configured path, then PATH, then the places TensorRT's packages and NGC images
 * put it (it is not on PATH after a Debian install), then Docker with the configured image.
 */
import { join } from 'node:path';
import { isExecutable, which } from '../pipeline/execute/which.js';
import { err, ok, type Result } from '../pipeline/result.js';

/** NGC images (`/opt/tensorrt/bin`, `/workspace/tensorrt/bin`) and the Debian/JetPack package. */
export const INSTALL_DIRS = ['/opt/tensorrt/bin', '/workspace/tensorrt/bin', '/usr/src/tensorrt/bin'] as const;

export type Location = { kind: 'local'; path: string } | { kind: 'docker'; docker: string; image: string };

export interface LocateOptions {
  trtexec: string;
  docker: { enabled: boolean; image: string };
  env?: NodeJS.ProcessEnv;
  installDirs?: readonly string[];
}

export async function locateTrtexec(o: LocateOptions): Promise<Result<Location, { reason: string }>> {
  const env = o.env ?? process.env;
  const dirs = o.installDirs ?? INSTALL_DIRS;
  if (o.trtexec) {
    return (await isExecutable(o.trtexec))
      ? ok({ kind: 'local', path: o.trtexec })
      : err({
          reason:
            `trt.trtexec is set to ${o.trtexec}, which is not an executable file; ` +
            'fix the path or clear it to search PATH',
        });
  }
  const onPath = await which('trtexec', env);
  if (onPath) return ok({ kind: 'local', path: onPath });
  for (const dir of dirs) {
    const candidate = join(dir, 'trtexec');
    if (await isExecutable(candidate)) return ok({ kind: 'local', path: candidate });
  }
  const docker = o.docker.enabled ? await which('docker', env) : undefined;
  if (docker) return ok({ kind: 'docker', docker, image: o.docker.image });
  const noDocker = o.docker.enabled ? ', and no docker on PATH' : ' (trt.docker.enabled is false)';
  return err({
    reason:
      `trtexec not found on PATH or in ${dirs.join(', ')}${noDocker}; ` +
      'install TensorRT or set trt.trtexec / trt.docker.image',
  });
}

/**
 * The command prefix for a located trtexec. In Docker it runs as the calling user, so that engines and the
 * timing cache it writes into the artifact store belong to that user; `withMounts` adds the directories.
 */
export function commandFor(location: Location): string[] {
  if (location.kind === 'local') return [location.path];
  const user = process.getuid && process.getgid ? ['--user', `${process.getuid()}:${process.getgid()}`] : [];
  return [location.docker, 'run', '--rm', '--gpus', 'all', ...user, '--', location.image, 'trtexec'];
}

/**
 * Bind-mounts each directory at the same path inside the container, so that every path argument means the
 * same on both sides. `--`, the image and `trtexec` are always the last three items of a Docker prefix: the
 * `--` keeps the image from being read as an option whatever it holds.
 */
export function withMounts(command: readonly string[], isDocker: boolean, dirs: readonly string[]): string[] {
  if (!isDocker) return [...command];
  const mounts = [...new Set(dirs)].sort().flatMap((d) => ['-v', `${d}:${d}`]);
  return [...command.slice(0, -3), ...mounts, ...command.slice(-3)];
}
