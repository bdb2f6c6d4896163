/**
 * A store this process cannot write (a CI cache restored read-only, another user's artifacts): the commands that
 * only read it (`plan`, `cache ls`, `cache verify`) succeed and say once that stamps could not be refreshed,
 * instead of failing on the stamp a successful check would write. The read-only side is a real one: the CLI runs
 * as the unprivileged user `nobody` (setpriv), on a store owned by root with no write permission.
 */
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { cli, project, toyCli } from './toy.js';

const SETPRIV = '/usr/bin/setpriv';

test('plan, cache ls and cache verify on a read-only store: exit 0, one line on the stamps', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to run the CLI as nobody');
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  // What a restore does to every object: new times, so each stamp no longer matches and a check re-hashes.
  const objects = join(p.artifacts, 'store', 'objects');
  for (const d of readdirSync(objects))
    for (const f of readdirSync(join(objects, d))) {
      utimesSync(join(objects, d, f), new Date(), new Date(Date.now() - 3_600_000));
    }
  await exec('chmod', ['-R', 'a+rX,a-w', p.dir]);
  t.after(() => chmodSync(p.dir, 0o755));
  const asNobody = (...args: string[]) =>
    exec(
      SETPRIV,
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...process.execArgv, toyCli, ...args],
      { env: { TOY_RUNLOG: p.runlog }, timeoutMs: 60_000 },
    );
  const where = ['--config', p.config, '--artifacts', p.artifacts];
  const said = /the store is read-only for this process: \d+ object stamps? could not be refreshed/;
  const plan = await asNobody('plan', ...where);
  assert.equal(plan.exitCode, 0, plan.stderr);
  assert.match(plan.stdout, /toy:join\s+hit/);
  assert.match(plan.stderr, said);
  const verify = await asNobody('cache', 'verify', ...where);
  assert.equal(verify.exitCode, 0, verify.stderr);
  assert.match(verify.stdout, /4 entries verified, 0 corrupt/);
  assert.equal(verify.stderr.match(new RegExp(said, 'g'))?.length, 1, 'said once');
  const ls = await asNobody('cache', 'ls', ...where);
  assert.equal(ls.exitCode, 0, ls.stderr);
});
