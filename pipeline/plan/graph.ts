/** The DAG a set of stage declarations implies: selection by target, order, and declaration errors. */
import { err, ok, type Result } from '../result.js';
import type { InputRef, InputRefs, StageDef } from '../stage.js';

/** A stage declaration of any inputs, files and options: what the runner and the planner handle. */
export type AnyStage = StageDef<any, InputRefs, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every producer an input may come from: the one it names, then its fallbacks in order. */
export function refChain(ref: InputRef): InputRef[] {
  const out: InputRef[] = [];
  for (let r: InputRef | undefined = ref; r; r = r.fallback) out.push(r);
  return out;
}

/** Every input reference of a stage, fallbacks included. */
const allRefs = (s: AnyStage): InputRef[] => Object.values(s.inputs).flatMap(refChain);

/** Checks that names are unique, every input names a declared stage and output, and there is no cycle. */
export function checkDeclarations(stages: readonly AnyStage[]): Result<void, string> {
  const byName = new Map<string, AnyStage>();
  for (const s of stages) {
    if (byName.has(s.name)) return err(`two stages are named ${s.name}`);
    byName.set(s.name, s);
  }
  for (const s of stages) {
    for (const [label, ref] of Object.entries(s.inputs).flatMap(([l, r]) => refChain(r).map((x) => [l, x] as const))) {
      const producer = byName.get(ref.stage);
      if (!producer) return err(`stage ${s.name}: input ${label} names stage ${ref.stage}, which is not registered`);
      if (!(ref.output in producer.outputs))
        return err(`stage ${s.name}: input ${label} names output ${ref.output}, which ${ref.stage} does not declare`);
    }
  }
  const sorted = topoSort(stages);
  return sorted.ok ? ok(undefined) : sorted;
}

/** The stages in an order where every producer precedes its consumers; registration order breaks ties. */
export function topoSort(stages: readonly AnyStage[]): Result<AnyStage[], string> {
  const names = new Set(stages.map((s) => s.name));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: AnyStage[] = [];
  const byName = new Map(stages.map((s) => [s.name, s]));
  const visit = (s: AnyStage): string | undefined => {
    if (done.has(s.name)) return undefined;
    if (visiting.includes(s.name)) {
      const cycle = [...visiting.slice(visiting.indexOf(s.name)), s.name];
      return `stages depend on each other in a cycle: ${cycle.join(' → ')}`;
    }
    visiting.push(s.name);
    for (const ref of allRefs(s)) {
      const p = byName.get(ref.stage);
      if (p && names.has(p.name)) {
        const problem = visit(p);
        if (problem) return problem;
      }
    }
    visiting.pop();
    done.add(s.name);
    out.push(s);
    return undefined;
  };
  for (const s of stages) {
    const problem = visit(s);
    if (problem) return err(problem);
  }
  return ok(out);
}

/** The targets and everything they consume (optional inputs included), in dependency order. */
export function select(stages: readonly AnyStage[], targets: readonly string[]): Result<AnyStage[], string> {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    const s = byName.get(name);
    for (const ref of s ? allRefs(s) : []) add(ref.stage);
  };
  for (const t of targets) {
    if (!byName.has(t)) return err(`unknown stage ${t}; stages: ${stages.map((s) => s.name).join(', ')}`);
    add(t);
  }
  return topoSort(stages.filter((s) => wanted.has(s.name)));
}
