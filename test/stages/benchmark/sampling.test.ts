/**
 * The sampling budget on a real clock: a loop stops at bench.runs, or at bench.max_seconds with at least 10
 * samples, and says which; warm-up likewise. The calls sleep for real, so the limits are exercised as a slow
 * engine would exercise them.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { estimateMs, MIN_SAMPLES, sample, timedBudget, warmupBudget } from '../../../measure/sampling.js';

test('fast calls: all runs are taken, stopped by runs', async () => {
  const r = await sample(async () => undefined, timedBudget({ runs: 25, max_seconds: 10 }), 'timed');
  assert.equal(r.samplesMs.length, 25);
  assert.equal(r.stoppedBy, 'runs');
});

test('slow calls: the time limit stops the loop, but never before 10 samples', async () => {
  // 20 ms a call, a 0.1 s limit: the limit is reached after ~5 calls, the floor keeps going to 10.
  const floor = await sample(() => sleep(20), timedBudget({ runs: 100, max_seconds: 0.1 }), 'timed');
  assert.equal(floor.samplesMs.length, MIN_SAMPLES);
  assert.equal(floor.stoppedBy, 'max_seconds');
  assert.ok(floor.seconds >= 0.19, `10 calls of 20 ms take at least 0.2 s (took ${floor.seconds})`);
  // A 1 s limit: more than the floor (unless a 20 ms sleep took over 100 ms), fewer than the runs (50 at most
  // fit), and the loop stops within one call of the limit, however loaded the machine.
  const limited = await sample(() => sleep(20), timedBudget({ runs: 1000, max_seconds: 1 }), 'timed');
  const n = limited.samplesMs.length;
  assert.ok(n > MIN_SAMPLES && n <= 50, `${n} samples`);
  assert.equal(limited.stoppedBy, 'max_seconds');
  const longest = Math.max(...limited.samplesMs) / 1000;
  assert.ok(
    limited.seconds >= 1 && limited.seconds < 1 + longest + 0.1,
    `stopped within one call of the limit (${limited.seconds} s, longest call ${longest} s)`,
  );
  // Fewer runs than the floor: the runs win.
  const few = await sample(() => sleep(20), timedBudget({ runs: 3, max_seconds: 0.01 }), 'timed');
  assert.deepEqual([few.samplesMs.length, few.stoppedBy], [3, 'runs']);
});

test('warm-up: bench.warmup runs or bench.warmup_max_seconds, at least one', async () => {
  const w = await sample(() => sleep(20), warmupBudget({ warmup: 50, warmup_max_seconds: 0.05 }), 'warm-up');
  assert.ok(w.samplesMs.length >= 1 && w.samplesMs.length <= 5, `${w.samplesMs.length} warm-up runs`);
  const none = await sample(() => sleep(20), warmupBudget({ warmup: 0, warmup_max_seconds: 1 }), 'warm-up');
  assert.equal(none.samplesMs.length, 0);
});

test('progress is reported while sampling, with an estimate that never exceeds what the budget allows', async () => {
  const seen: [number, number][] = [];
  const b = timedBudget({ runs: 1000, max_seconds: 0.6 });
  await sample(
    () => sleep(20),
    b,
    'timed',
    (_phase, n, elapsedMs) => seen.push([n, estimateMs(b, n, elapsedMs)]),
  );
  assert.ok(seen.length >= 1, 'at least one progress report in 0.6 s');
  for (const [n, est] of seen) assert.ok(n > 0 && est <= 0.6 * 1000 + 1, `estimate ${est} ms after ${n}`);
  assert.equal(estimateMs(b, 10, 100), 600, 'fast calls: the time limit bounds the estimate');
  assert.equal(estimateMs(timedBudget({ runs: 20, max_seconds: 10 }), 10, 100), 200, 'few runs: runs × time per call');
});

/** `runs` samples of `sampleMs` each with `between` rounds of `roundMs`: how many samples and rounds ran. */
async function roundsBetween(runs: number, sampleMs: number, roundMs: number) {
  let rounds = 0;
  const r = await sample(
    () => sleep(sampleMs),
    timedBudget({ runs, max_seconds: 10 }),
    'timed',
    undefined,
    async () => {
      rounds++;
      await sleep(roundMs);
    },
  );
  return { samples: r.samplesMs.length, rounds };
}

test('untimed work between samples takes at most about half the time: after each slow sample, fewer fast', async () => {
  const slow = await roundsBetween(10, 20, 0);
  assert.equal(slow.rounds, slow.samples, 'a 20 ms sample outlasts a round of ~1 ms: one after each');
  const fast = await roundsBetween(40, 2, 12);
  assert.equal(fast.samples, 40);
  // A round after the first sample, then one each time the samples since add up to a round's ~12 ms (5–6 samples).
  assert.ok(fast.rounds >= 3 && fast.rounds <= 14, `${fast.rounds} rounds of 12 ms between 40 samples of 2 ms`);
});
