/**
 * Checks the schema cannot express, run on the parsed config before it is validated or used: keys that would
 * reach an object's prototype, numbers that are not finite (YAML reads `1e400` as Infinity, which no cache key
 * can hold), and arrays beyond the limit.
 */
import { limits, overLimit } from './limits.js';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** What a guard found, before it is given a location (`file:line:col` or the `--set`). */
export interface GuardProblem {
  /** Field path from the top of the config. */
  path: string[];
  /** What is wrong and what to do, without the location. */
  message: string;
  /** The problem is the key at `path` itself, not its value. */
  atKey?: boolean;
}

export function guard(value: unknown, path: string[] = []): GuardProblem | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const field = path.join('.') || 'value';
    return { path, message: `${field} is ${String(value)}, not a finite number; write a number in range` };
  }
  if (Array.isArray(value)) {
    const max = limits().arrayItems;
    if (value.length > max.value) {
      return { path, message: overLimit(`${path.join('.')} has ${value.length} items,`, max) };
    }
    for (let i = 0; i < value.length; i++) {
      const p = guard(value[i], [...path, String(i)]);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const at = [...path, key];
      if (FORBIDDEN_KEYS.has(key)) {
        return { path: at, atKey: true, message: `${at.join('.')}: the key ${key} is not allowed in a config` };
      }
      const p = guard((value as Record<string, unknown>)[key], [...path, key]);
      if (p) return p;
    }
  }
  return undefined;
}
