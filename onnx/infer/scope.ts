/**
 * Values by name, as a graph nested in a node sees them: its own first, then its enclosing graphs'.
 * A name the nested graph defines hides the outer one even when its type is unknown.
 */
export class Scope<T> {
  readonly own = new Map<string, T | undefined>();

  constructor(readonly parent?: Scope<T>) {}

  get(name: string): T | undefined {
    for (let s: Scope<T> | undefined = this; s; s = s.parent) {
      if (s.own.has(name)) return s.own.get(name);
    }
    return undefined;
  }

  set(name: string, value: T | undefined): void {
    this.own.set(name, value);
  }
}
