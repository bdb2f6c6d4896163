/** A binary min-heap of integers: the topological sort's ready list, O(log n) per push and pop. */
export class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(x: number): void {
    const a = this.a;
    let i = a.push(x) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as number) <= x) break;
      a[i] = a[parent] as number;
      i = parent;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.a;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let v = last;
      if (l < a.length && (a[l] as number) < v) {
        m = l;
        v = a[l] as number;
      }
      if (r < a.length && (a[r] as number) < v) m = r;
      if (m === i) break;
      a[i] = a[m] as number;
      i = m;
    }
    a[i] = last;
    return top;
  }
}
