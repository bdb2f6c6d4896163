/** GraphViz's `dot` as a tool: found on PATH, identified by its version line, run with argument arrays. */
import type { Exec } from '../../pipeline/execute/exec.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { ToolFound, ToolSpec } from '../../pipeline/stage.js';

export const dotTool: ToolSpec<unknown> = {
  name: 'dot',
  async probe(_config, exec) {
    const r = await exec('dot', ['-V']);
    if (r.exitCode !== 0) {
      return err({
        reason: r.spawnError
          ? 'graphviz `dot` not found on PATH; install graphviz (apt-get install graphviz)'
          : `\`dot -V\` failed: ${r.stderr.trim()}`,
      });
    }
    // `dot -V` writes "dot - graphviz version 2.43.0 (0)" to stderr.
    const version = /version\s+(\S+)/.exec(r.stderr + r.stdout)?.[1] ?? 'unknown';
    return ok({ command: ['dot'], fingerprint: { graphviz: version } });
  },
};

export async function render(
  tool: ToolFound,
  exec: Exec,
  dotFile: string,
  format: 'svg' | 'png',
  out: string,
): Promise<Result<void, string>> {
  const [command, ...prefix] = tool.command;
  if (!command) throw new Error('Internal error: empty dot command');
  const r = await exec(command, [
    ...prefix,
    `-T${format}`,
    ...(format === 'png' ? ['-Gdpi=96'] : []),
    '-o',
    out,
    dotFile,
  ]);
  return r.exitCode === 0
    ? ok(undefined)
    : err(`dot -T${format} failed (exit ${r.exitCode ?? r.signal}): ${(r.spawnError ?? r.stderr).trim()}`);
}
