/**
 * How fast the machine is right now, by a fixed workload that depends on neither the model nor any code under
 * test: a parallel loop on one worker thread per core, STEPS steps of a small float64 matrix product each,
 * every step ending in a spinning barrier (threads busy-wait on a shared counter until all arrive). That is
 * how an engine's intra-op thread pool runs a network, one parallel-for per operator with a spinning wait
 * after it, so a job that takes a core away slows the workload the way it slows the engines: a thread that
 * loses its core holds every other thread at the next barrier. A round is timed until the last worker
 * finishes. Rounds are interleaved with a measurement's timed samples (or taken before and after a runner that
 * measures in its own process) and stored beside it in bench.json, so the regression gate can judge a
 * measurement against the baseline relative to the machine's speed in each run (baseline.ts). A bigger model,
 * a slower pass or a slower engine version changes the measurement and not this workload: they still count.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Barrier steps per round and the product size of each step: about 5 ms a round on the quiet 2-core machine. */
export const STEPS = 25;
export const SIZE = 40;
/** Rounds taken before and after a runner that cannot interleave them. */
export const BRACKET_ROUNDS = 5;
/** Barrier checks before a waiting thread sleeps (onnxruntime's pool likewise spins a while, then blocks). */
const SPINS = 20000;
export const WORKLOAD =
  `${STEPS} steps of a ${SIZE} × ${SIZE} float64 matrix product on each of one worker thread per core, ` +
  `a barrier after every step (${SPINS} spins, then a sleep); timed until the last thread finishes`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { steps, n, threads, shared } = workerData;
const SPINS = ${SPINS};
const barrier = new Int32Array(shared);
const a = new Float64Array(n * n), b = new Float64Array(n * n), c = new Float64Array(n * n);
for (let i = 0; i < n * n; i++) { a[i] = (i % 7) * 0.25; b[i] = (i % 5) * 0.5; }
let generation = 0;
parentPort.on('message', () => {
  let sum = 0;
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let t = 0;
        for (let k = 0; k < n; k++) t += a[i * n + k] * b[k * n + j];
        c[i * n + j] = t;
      }
    sum += c[s % (n * n)];
    generation++;
    if (Atomics.add(barrier, 0, 1) + 1 === generation * threads) {
      Atomics.store(barrier, 1, generation);
      Atomics.notify(barrier, 1);
      continue;
    }
    let spins = 0;
    while (Atomics.load(barrier, 1) < generation && spins++ < SPINS);
    while (Atomics.load(barrier, 1) < generation) Atomics.wait(barrier, 1, generation - 1, 1);
  }
  parentPort.postMessage(sum);
});
`;

export interface Calibrator {
  /** Worker threads (one per core). */
  threads: number;
  /** One round now, in ms. */
  round(): Promise<number>;
  /** `count` rounds in a row. */
  rounds(count: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function startCalibrator(threads = availableParallelism()): Promise<Calibrator> {
  const shared = new SharedArrayBuffer(8);
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER, { eval: true, workerData: { steps: STEPS, n: SIZE, threads, shared } }),
  );
  // One listener per worker for the pool's whole life; each round hands it that round's resolver.
  const pending: ((e?: Error) => void)[] = [];
  workers.forEach((w, i) => {
    w.on('message', () => pending[i]?.());
    w.on('error', (e) => pending[i]?.(e));
  });
  const round = async (): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            pending[i] = (e) => (e ? reject(e) : resolve());
            w.postMessage(null);
          }),
      ),
    );
    return performance.now() - t0;
  };
  // JIT warm-up: the first rounds compile the loop.
  for (let i = 0; i < 3; i++) await round();
  return {
    threads,
    round,
    async rounds(count) {
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(await round());
      return out;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
