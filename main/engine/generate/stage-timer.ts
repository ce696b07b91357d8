/** Wall-clock time per pipeline stage, in milliseconds, summed over repeated calls. */
export class StageTimer {
  readonly totals: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.totals[stage] = (this.totals[stage] ?? 0) + performance.now() - started;
    }
  }
}
