/**
 * Bounds how many stages run their `run` at once; hits and skips do not take a slot. A measurement
 * (`cache: 'never'`) takes every slot: a stage running beside it would share its cores and skew its figures.
 */
export class Slots {
  private free: number;
  private readonly waiting: Array<{ n: number; go: () => void }> = [];
  constructor(private readonly size: number) {
    this.free = size;
  }

  /** Resolves to the function that gives the slots back. */
  async take(exclusive = false): Promise<() => void> {
    const n = exclusive ? this.size : 1;
    if (this.waiting.length === 0 && this.free >= n) this.free -= n;
    else await new Promise<void>((go) => this.waiting.push({ n, go }));
    return () => {
      this.free += n;
      // First come, first served: a waiting measurement is not overtaken by later small stages.
      while (this.waiting.length > 0 && this.free >= this.waiting[0]!.n) {
        const next = this.waiting.shift()!;
        this.free -= next.n;
        next.go();
      }
    };
  }
}
