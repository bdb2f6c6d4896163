/**
 * Reads what trtexec prints (8.6 and 10.x share the format; docs/tensorrt.md cites the sources). Every field
 * is optional because a failed or profiled run prints only part of the sequence. Lines carry a
 * `[MM/DD/YYYY-HH:MM:SS] [X] ` prefix; banners and multi-line payloads do not.
 */

export type BannerStatus = 'RUNNING' | 'PASSED' | 'FAILED' | 'WAIVED';

export interface TrtVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface Banner {
  status: BannerStatus;
  /** `NV_TENSORRT_VERSION` as printed, e.g. 8600 or 101600. */
  number: number;
  version: TrtVersion;
  /** The ` [b72]` suffix, printed since 10.4. */
  build?: string;
  command: string;
}

/** One `Latency: min = … ms, …` line, in milliseconds; percentiles keyed by their label (`90`, `99.9`). */
export interface SummaryStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  percentiles: Record<string, number>;
}

export interface PerformanceSummary {
  throughputQps: number;
  latency: SummaryStats;
  enqueue: SummaryStats;
  h2d: SummaryStats;
  gpuCompute: SummaryStats;
  d2h: SummaryStats;
  totalHostWalltimeS: number;
  totalGpuComputeS: number;
}

export interface DeviceInfo {
  name: string;
  computeCapability: string;
  uuid?: string;
}

export interface TrtexecLog {
  /** The first banner (RUNNING) and the last (PASSED/FAILED), when printed. */
  start?: Banner;
  end?: Banner;
  /** From `[I] TensorRT version: X.Y.Z`. */
  tensorrtVersion?: string;
  device?: DeviceInfo;
  buildSeconds?: number;
  /** `Created engine with size:` (10.x only). */
  engineSizeMiB?: number;
  warmup?: { queries: number; ms: number };
  trace?: { queries: number; seconds: number };
  summary?: PerformanceSummary;
  /** Set when profiling suppressed the summary (no --separateProfileRun). */
  summarySuppressed: boolean;
}

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|-?inf`;
const PREFIX = /^\[\d\d\/\d\d\/\d{4}-\d\d:\d\d:\d\d\] \[([FEWIV])\] /;
const BANNER = /^&&&& (RUNNING|PASSED|FAILED|WAIVED) TensorRT\.trtexec \[TensorRT v(\d+)\](?: \[b(\d+)\])? # (.*)$/;

/** 8.x encodes MAJOR·1000+MINOR·100+PATCH, 10.x MAJOR·10000+MINOR·100+PATCH; five digits mean the latter. */
export function versionFromNumber(n: number): TrtVersion {
  const base = n >= 10000 ? 10000 : 1000;
  return { major: Math.floor(n / base), minor: Math.floor((n % base) / 100), patch: n % 100 };
}

export const formatVersion = (v: TrtVersion): string => `${v.major}.${v.minor}.${v.patch}`;

export function parseVersion(text: string): TrtVersion | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export function parseBanner(line: string): Banner | undefined {
  const m = BANNER.exec(line.trimEnd());
  if (!m) return undefined;
  const number = Number(m[2]);
  return {
    status: m[1] as BannerStatus,
    number,
    version: versionFromNumber(number),
    build: m[3],
    command: m[4] ?? '',
  };
}

const toNumber = (s: string): number =>
  s === 'nan' ? NaN : s.endsWith('inf') ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);

export function parseStats(text: string): SummaryStats | undefined {
  const base = new RegExp(`min = (${NUM}) ms, max = (${NUM}) ms, mean = (${NUM}) ms, median = (${NUM}) ms`).exec(text);
  if (!base) return undefined;
  const percentiles: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`percentile\\(([\\d.]+)%\\) = (${NUM}) ms`, 'g'))) {
    percentiles[m[1]!] = toNumber(m[2]!);
  }
  return {
    min: toNumber(base[1]!),
    max: toNumber(base[2]!),
    mean: toNumber(base[3]!),
    median: toNumber(base[4]!),
    percentiles,
  };
}

/** Log-stream messages with their level; lines without a prefix (banners, help, payloads) have level ''. */
export function logLines(text: string): { level: string; message: string; raw: string }[] {
  return text.split(/\r?\n/).map((raw) => {
    const m = PREFIX.exec(raw);
    return m ? { level: m[1]!, message: raw.slice(m[0].length), raw } : { level: '', message: raw, raw };
  });
}

const SUMMARY_STATS: Record<
  string,
  keyof Omit<PerformanceSummary, 'throughputQps' | 'totalHostWalltimeS' | 'totalGpuComputeS'>
> = {
  Latency: 'latency',
  'Enqueue Time': 'enqueue',
  'H2D Latency': 'h2d',
  'GPU Compute Time': 'gpuCompute',
  'D2H Latency': 'd2h',
};

/** Parses stdout and stderr together; their order does not matter because every field is found by pattern. */
export function parseTrtexecLog(...streams: string[]): TrtexecLog {
  const out: TrtexecLog = { summarySuppressed: false };
  const summary: Partial<PerformanceSummary> = {};
  let inSummary = false;
  for (const { message, raw } of streams.flatMap(logLines)) {
    const banner = parseBanner(raw);
    if (banner) {
      if (banner.status === 'RUNNING') out.start ??= banner;
      else out.end = banner;
      continue;
    }
    if (message.startsWith('=== ')) {
      inSummary = message.startsWith('=== Performance summary ===');
      continue;
    }
    if (!readField(message, out) && inSummary) readSummaryField(message, summary);
  }
  if (isComplete(summary)) out.summary = summary;
  return out;
}

/** A line of the build or run (version, device, build time, engine size, warm-up, trace) into `out`; false if none. */
function readField(message: string, out: TrtexecLog): boolean {
  let m: RegExpExecArray | null;
  if ((m = /^TensorRT version: (\d+\.\d+\.\d+(?:\.\d+)?)/.exec(message))) out.tensorrtVersion = m[1]!;
  else if ((m = /^Selected Device: (.+)$/.exec(message)))
    out.device = { ...(out.device ?? { computeCapability: '' }), name: m[1]!.trim() };
  else if ((m = /^Compute Capability: (\d+\.\d+)/.exec(message)))
    out.device = { ...(out.device ?? { name: '' }), computeCapability: m[1]! };
  else if ((m = /^Selected Device UUID: (GPU-[0-9a-f-]+)/.exec(message)))
    out.device = { ...(out.device ?? { name: '', computeCapability: '' }), uuid: m[1]! };
  else if ((m = new RegExp(`^Engine built in (${NUM}) sec`).exec(message))) out.buildSeconds = toNumber(m[1]!);
  else if ((m = new RegExp(`^Created engine with size: (${NUM}) MiB`).exec(message)))
    out.engineSizeMiB = toNumber(m[1]!);
  else if ((m = new RegExp(`^Warmup completed (\\d+) queries over (${NUM}) ms`).exec(message)))
    out.warmup = { queries: Number(m[1]), ms: toNumber(m[2]!) };
  else if ((m = new RegExp(`^Timing trace has (\\d+) queries over (${NUM}) s`).exec(message)))
    out.trace = { queries: Number(m[1]), seconds: toNumber(m[2]!) };
  else if (message.startsWith('The e2e network timing is not reported')) out.summarySuppressed = true;
  else return false;
  return true;
}

/** A line of the performance summary (throughput, totals, one statistics row) into `summary`. */
function readSummaryField(message: string, summary: Partial<PerformanceSummary>): void {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^Throughput: (${NUM}) qps`).exec(message))) summary.throughputQps = toNumber(m[1]!);
  else if ((m = new RegExp(`^Total Host Walltime: (${NUM}) s`).exec(message)))
    summary.totalHostWalltimeS = toNumber(m[1]!);
  else if ((m = new RegExp(`^Total GPU Compute Time: (${NUM}) s`).exec(message)))
    summary.totalGpuComputeS = toNumber(m[1]!);
  else if ((m = /^([A-Za-z0-9 ]+): min = /.exec(message))) {
    const key = SUMMARY_STATS[m[1]!];
    const stats = parseStats(message);
    if (key && stats) summary[key] = stats;
  }
}

function isComplete(s: Partial<PerformanceSummary>): s is PerformanceSummary {
  return (
    s.throughputQps !== undefined &&
    s.latency !== undefined &&
    s.enqueue !== undefined &&
    s.h2d !== undefined &&
    s.gpuCompute !== undefined &&
    s.d2h !== undefined &&
    s.totalHostWalltimeS !== undefined &&
    s.totalGpuComputeS !== undefined
  );
}

/** Success as trtexec defines it: exit 0 and a PASSED banner (a crash or `--help` has none). */
export const passed = (log: TrtexecLog): boolean => log.end?.status === 'PASSED';
