/**
 * Probes each distinct tool once per run: by name and the config the probe sees (a stage may word its reason
 * from its own config). A probe that throws is a bug in the probe.
 */
import { canonical } from './fingerprint.js';
import type { Exec } from '../execute/exec.js';
import { noMemo, type ProbeMemo } from './probe-memo.js';
import type { ToolProbe, ToolSpec } from '../stage.js';

export class ToolProbes {
  private readonly found = new Map<string, Promise<ToolProbe>>();
  constructor(
    private readonly exec: Exec,
    private readonly memo: ProbeMemo = noMemo,
  ) {}

  probe<C>(spec: ToolSpec<C>, config: C): Promise<ToolProbe> {
    const id = `${spec.name}\u0000${canonical(config ?? null)}`;
    let p = this.found.get(id);
    if (!p) {
      p = spec.probe(config, this.exec, this.memo);
      this.found.set(id, p);
    }
    return p;
  }
}
