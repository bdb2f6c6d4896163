/**
 * TEMPLATE: a complete engine kit in one file, registered and run by test/templates/templates.test.ts, so it
 * compiles and works as written. A new kit (say `openvino`): copy this file to `openvino/index.ts`, rename
 * `example` and `exampleKit`, fix the `../../` imports to `../`, add the kit to `KITS` (stages/benchmark/kits.ts).
 * docs/architecture.md ("Files to open") lists what the tests then ask for: the outputs table's rows for its
 * stages, the recorded config slices.
 *
 * Its parts, in order: the kit's section of the run config (`example`), the tool its build and runner run (probed
 * once per run, its fingerprint in the build's key), a build step with one stage per precision
 * (`engine:example:fp32|fp16`), the benchmark's runner, and the kit that ties them together.
 *
 * The tool here is a program `example-tool` with three commands (the test's fake speaks them, running the model on
 * onnxruntime): `--version`; `build --precision P --model M --out E --weights W` (writes the engine E, W beside); `run
 * --engine E --inputs J --warmup N --warmup-ms T --runs K --max-ms T --min-samples M` (J lists the input files the
 * runner wrote; it warms up and times within those limits and prints one JSON line `{"warmup": n, "warmup_seconds": s,
 * "samples_ms": [...], "stopped_by": "runs" | "max_seconds", "seconds": s, "output": [...], "dims": [...]}`: each timed
 * run's latency, and the first float output of the last run, which the benchmark checks against its reference).
 */
import { Type, type Static } from '@sinclair/typebox';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { configSection, Section } from '../../pipeline/config/section.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import type { ToolFound, ToolSpec } from '../../pipeline/stage.js';
import {
  declareBuild,
  defineBuild,
  type BuildContext,
  type EngineGroup,
  type EngineKit,
  type EngineName,
  type EngineRunner,
  type Measured,
  type RunnerRequest,
  type Skip,
  type Work,
} from '../../measure/kit.js';
// latencyStats(samples): p50/p90/p99, mean, min, max; throughput(batch, stats): items per second.
import { latencyStats, throughput } from '../../measure/stats.js';
// skipAll(engines, precision, skip): the skip recorded for each of the runner's engines.
import { skipAll, type Measurement } from '../../measure/result.js';
// The sampling limits every runner honours: warmupBudget(r.config) is bench.warmup runs or bench.warmup_max_seconds,
// timedBudget(r.config) bench.runs or bench.max_seconds (never fewer than `minSamples`), each as { runs, maxMs,
// minSamples }. An engine timed in this process calls `sample(call, budget, phase)` (same module) instead.
import { timedBudget, warmupBudget } from '../../measure/sampling.js';
// One graph input's tensor as the benchmark feeds it: `type` ('float32', 'int64'…), `dims`, `data` (a typed array).
import type { AnyTensor } from '../../onnx/ort.js';
import { latestModel } from '../../source/model-ref.js';

// 1. Its engines by their names in bench.engines, bench.json and the report, each with whether bench.engines lists
// it when the config does not say (`false` keeps the default list, and every recorded config slice, as they are).
const engines = { example: false } as const;
export const ENGINE: EngineName = 'example';

// The kit's section of the run config: every field with its default, so no section at all is valid.
export const schema = Section({
  tool: Type.String({ default: 'example-tool', description: 'The example tool: a path, or a name on PATH.' }),
  threads: Type.Integer({ minimum: 1, default: 1, description: 'Threads the engine runs on.' }),
});
export type ExampleConfig = Static<typeof schema>;

/** The section with its defaults filled in, out of the whole run config. */
export const exampleConfig = (root: Readonly<Record<string, unknown>>): ExampleConfig =>
  configSection(root, 'example', schema);

// Its engines join `EngineName` (bench.engines' schema is composed from every kit's `engines`), and its section's
// type, by name, what the benchmark hands its runners (`r.example`).
type Engines = typeof engines;
declare module '../../measure/kit.js' {
  interface KitEngines extends Engines {}
  interface KitSections {
    /** The template kit's section (test/templates/example-kit.ts). */
    example: ExampleConfig;
  }
}

// 2. The tool: found and asked who it is; what it says (its version) enters the key of every stage declaring it.
// A program of the kit's own (`openvino/ov_run.py`) is found with `sourceFile('openvino/ov_run.py')`
// (pipeline/source-file.ts: from the source tree and dist/'s bundles alike) and run as `[python, thatPath]`.
/** The tool's probe; `--require example-tool` runs it before anything else. Never throws: a missing tool is a value. */
export const exampleTool: ToolSpec<{ tool: string }> = {
  name: 'example-tool',
  async probe(config, exec) {
    const run = await exec(config.tool, ['--version']);
    if (run.exitCode !== 0) {
      const why = run.spawnError ?? (run.stderr.trim() || `exit ${run.exitCode}`);
      return err({ message: `example-tool not usable (${config.tool}): ${why}; set example.tool` });
    }
    return ok({ command: [config.tool], fingerprint: { version: run.stdout.trim() } });
  },
};

// 3. The build step: one stage per precision. Its config slice is what changes the engine (all of it in the key).
interface BuildConfig {
  precision: 'fp32' | 'fp16';
  tool: string;
}

const declared = declareBuild({
  engine: ENGINE,
  artifact: 'example',
  precisions: ['fp32', 'fp16'],
  step: (precision) => ({
    version: 1,
    description: `example-tool ${precision.toUpperCase()} engine of the optimized model`,
    config: (root): BuildConfig => ({
      precision: precision === 'fp16' ? 'fp16' : 'fp32',
      tool: exampleConfig(root).tool,
    }),
    // The optimized model, or the source model where optimize declined (source/model-ref.ts).
    inputs: { model: latestModel },
    // `engine` is the file the runner loads; more labels (a build log) are kept too.
    outputs: { engine: `example.${precision}.engine`, log: `example.${precision}.log` },
    tools: [exampleTool],
  }),
});

/** The `ctx` the build's run gets: `ctx.inputs.model` is the model's path, `ctx.tools` the probe's finding. */
export type Context = BuildContext<typeof declared>;

/**
 * Builds one precision's engine. Inline here; a long run goes in a module beside it,
 * `run: lazyRun(() => import('./build-run.js'))` (pipeline/stage.ts), which `plan` never loads.
 */
async function build(ctx: Context) {
  const tool = ctx.tools[exampleTool.name]!;
  // A second file of the engine (OpenVINO's .bin beside its .xml) is its companion: stored with it, placed beside it.
  const weights = ctx.companion!('engine', `example.${ctx.config.precision}.weights`);
  const argv = ['build', '--precision', ctx.config.precision, '--model', ctx.inputs.model, '--out', ctx.out('engine')];
  argv.push('--weights', weights);
  const run = await ctx.exec(tool.command[0]!, [...tool.command.slice(1), ...argv], { signal: ctx.signal });
  await writeFile(ctx.out('log'), run.stdout + run.stderr);
  if (run.exitCode !== 0) return fail('tool-failed', `example-tool build failed: ${run.stderr.trim()}`);
  ctx.log.info(`built ${basename(ctx.out('engine'))}`);
  return ok(undefined);
}

/** `engine:example:fp32|fp16`; the benchmark reads its engines as `r.artifacts.built.example[precision]`. */
export const exampleBuild = defineBuild({ ...declared, run: build });

// 4. The benchmark's runner.
/**
 * The model's inputs at one batch, written for the tool: one raw file per graph input and a JSON list of them
 * (`[{ name, type, dims, file }]`). `r.feeds.feeds(batch)` (measure/feeds.ts) gives every graph input's tensor,
 * by name, resolved from model.dims / model.inputs / the check data: the same bytes every engine and the
 * correctness reference get, so the output can be checked. It is an error value where the batch cannot be fed.
 */
async function writeFeeds(r: RunnerRequest, batch: number): Promise<string | Skip> {
  const feeds = r.feeds.feeds(batch);
  if (!feeds.ok) return { cause: 'no-inputs', message: feeds.error };
  const dir = join(r.workDir, 'example');
  await mkdir(dir, { recursive: true });
  const list = [];
  for (const [i, [name, t]] of Object.entries<AnyTensor>(feeds.value).entries()) {
    const file = join(dir, `input-b${batch}-${i}.bin`);
    const data = t.data as ArrayBufferView; // string tensors aside, a typed array: its bytes as they lie
    await writeFile(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    list.push({ name, type: t.type, dims: t.dims, file });
  }
  const manifest = join(dir, `inputs-b${batch}.json`);
  await writeFile(manifest, JSON.stringify(list));
  return manifest;
}

/** What `example-tool run` prints (see the top of this file). */
interface ToolRun {
  warmup: number;
  warmup_seconds: number;
  samples_ms: number[];
  stopped_by: 'runs' | 'max_seconds';
  seconds: number;
  output: number[];
  dims: number[];
}

/** One engine file's measurement at one batch: the tool's samples, their statistics, its last output. */
async function measureOne(r: RunnerRequest, tool: ToolFound, w: Work, batch: number): Promise<Measured | Skip> {
  const inputs = await writeFeeds(r, batch);
  if (typeof inputs !== 'string') return inputs;
  const [warm, timed] = [warmupBudget(r.config), timedBudget(r.config)];
  const limits = ['--warmup', warm.runs, '--warmup-ms', warm.maxMs, '--runs', timed.runs, '--max-ms', timed.maxMs];
  const argv = ['run', '--engine', w.artifact, '--inputs', inputs, ...limits, '--min-samples', timed.minSamples];
  const run = await r.exec(tool.command[0]!, [...tool.command.slice(1), ...argv.map(String)], { signal: r.signal });
  if (run.exitCode !== 0) return { cause: 'engine-failed', message: `example-tool run failed: ${run.stderr.trim()}` };
  // Its stdout is one JSON line and nothing else; anything else skips these runs, never the benchmark.
  let out: ToolRun;
  try {
    out = JSON.parse(run.stdout) as ToolRun;
  } catch {
    return { cause: 'engine-failed', message: `example-tool run printed no JSON: ${run.stdout.slice(0, 200)}` };
  }
  const stats = latencyStats(out.samples_ms);
  const measurement: Measurement = {
    engine: ENGINE,
    precision: w.precision,
    batch,
    artifact: basename(w.artifact), // the file's name, as bench.json and the report show it
    device: 'cpu', // or the GPU's name
    settings: { threads: r.example.threads }, // every setting that changes the figures
    timing: 'example-tool run: its own clock around each run', // where each sample's clock starts and stops
    warmup: out.warmup, // warm-up runs taken
    // How many samples, and what stopped the loop: bench.json and the report state it per measurement.
    sampling: {
      n: out.samples_ms.length,
      stoppedBy: out.stopped_by,
      seconds: out.seconds,
      warmup: out.warmup,
      warmupSeconds: out.warmup_seconds,
    },
    samplesMs: out.samples_ms, // each timed run's latency in ms, in order
    stats,
    throughput: throughput(batch, stats),
  };
  // The output the benchmark judges against its reference (a wrong one is flagged, never ranked), with its shape.
  return { measurement, output: Float32Array.from(out.output), dims: out.dims };
}

/** `ToolFound`: what `available` found, handed to `measure` (the tool's command). */
export const exampleRunner: EngineRunner<ToolFound> = {
  // The names in bench.engines it measures (a kit of several engines lists each).
  engines: [ENGINE],
  // The file for a precision, or why there is none: its build stage made none (the manifest says why).
  artifact: (r, precision) =>
    r.artifacts.built?.[exampleBuild.artifact]?.[precision] ?? {
      cause: 'no-model',
      message: `engine:${ENGINE}:${precision} produced no engine; the manifest says why`,
    },
  // The runner probes its tool itself (inside the benchmark's run): a missing tool skips its engines, not the run.
  async available(r): Promise<Result<ToolFound, Skip>> {
    const found = await exampleTool.probe(r.example, r.exec);
    return found.ok ? found : err({ cause: 'tool-unavailable', message: found.error.message });
  },
  // Every precision it has a file for (`work`) at every batch size the model runs (`r.batches`): each measured
  // (with its output) or skipped with its kind; a run that was stopped (`r.signal`) measures nothing more.
  async measure(r, tool, work): Promise<EngineGroup> {
    const group: EngineGroup = { measured: [], skipped: [] };
    for (const w of work) {
      for (const batch of r.batches) {
        if (r.signal?.aborted) return group;
        const one = await measureOne(r, tool, w, batch);
        if ('measurement' in one) group.measured.push(one);
        else group.skipped.push(...skipAll(r.engines, w.precision, one));
      }
    }
    return group;
  },
};

// 5. The kit: what the registry and the benchmark take from it (stages/benchmark/kits.ts `composeKits`).
export const exampleKit: EngineKit = {
  // The engine family, as bench.json names it, and its engines (above).
  name: 'example',
  engines,
  // The tools `--require` accepts, each with the config its probe reads.
  tools: [{ spec: exampleTool, config: exampleConfig }],
  // Its build steps (none for an engine that runs the ONNX as it is, as ort's).
  builds: [exampleBuild],
  // Its config section: the registry adds it to the run config's schema.
  section: { name: 'example', schema },
  // Loaded when the benchmark runs. A kit whose runner sits in a module of its own (`runner.ts`) keeps it out of
  // its builds' code identity: a change to how it times then rebuilds no engine.
  runner: async () => exampleRunner,
};
