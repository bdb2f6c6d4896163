/**
 * What else the machine was doing while a measurement ran: the 1-minute load average before and after, the
 * measuring process's CPU time against the wall time (onnxruntime in this process: every thread of its pool
 * counts; the torch runner reports its own; trtexec none), and the calibration rounds (calibration.ts) timed
 * with it. Recorded for every measurement; the report shows it beside the noise verdict (noise.ts).
 */
import { loadavg } from 'node:os';

export interface MachineLoad {
  /** The 1-minute load average when the measurement started and when it ended. */
  loadavg1: [number, number];
  /** CPU time of the measuring process (all its threads) over the timed samples, and the wall time they took. */
  cpuMs?: number;
  wallMs?: number;
  /**
   * The calibration workload's rounds (calibration.ts), in ms: one after each timed sample (`samples`), or
   * BRACKET_ROUNDS before and after the runner's whole group of measurements (`group`: a runner measuring in
   * its own process). Their median is the machine's speed for this measurement.
   */
  calibrationMs?: number[];
  calibratedAround?: 'samples' | 'group';
}

const load1 = (): number => loadavg()[0] ?? 0;

/** Starts watching this process; `stop` gives its load figures for the span in between. */
export function watchProcess(): { stop(): MachineLoad } {
  const avg = load1();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const used = process.cpuUsage(cpu);
      return {
        loadavg1: [avg, load1()],
        cpuMs: (used.user + used.system) / 1000,
        wallMs: performance.now() - t0,
      };
    },
  };
}
