/**
 * Memory for fleets. A fleet is read in one synchronous stretch, and how much garbage piles up before V8
 * collects it is V8's choice: on 10,000 gpresult files the peak was ~165 MB in most runs and 290–350 MB in
 * about a quarter of them, more often on a busy machine (bench/run.mjs). `--trace-gc` showed the bad runs
 * promoting each host's short-lived objects to the old generation (85 MB between full collections instead
 * of 4), while V8's concurrent marking lagged behind.
 *
 * Two measures, both measured: the young generation at its usual full size from the start of a fleet
 * (fewer promotions), and a watch on the heap every 64 hosts — when it has grown 32 MB beyond what was alive
 * after the last collection, a full collection (~30 ms) brings it back. In good runs V8 collects first and
 * the watch never fires. `gc` is exposed with V8's --expose-gc flag, set through the documented flags API
 * and read from a fresh context; where that is refused, only V8's own collections run.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const WATCH_EVERY = 64;
const SLACK = 32 * 1024 * 1024;

export class FleetMemory {
  private hosts = 0;
  private floor = 0;
  private gc: (() => void) | null | undefined;

  /** Called once per host. */
  tick(): void {
    if (++this.hosts % WATCH_EVERY !== 0) return;
    if (this.hosts === WATCH_EVERY) {
      flag('--min-semi-space-size=16');
      this.floor = getHeapStatistics().used_heap_size;
      return;
    }
    if (getHeapStatistics().used_heap_size < this.floor + SLACK) return;
    this.collect();
    this.floor = getHeapStatistics().used_heap_size;
  }

  private collect(): void {
    if (this.gc === undefined) {
      flag('--expose-gc');
      try {
        const f = runInNewContext('gc') as unknown;
        this.gc = typeof f === 'function' ? (f as () => void) : null;
      } catch {
        this.gc = null;
      }
    }
    this.gc?.();
  }
}

function flag(f: string): void {
  try {
    setFlagsFromString(f);
  } catch {
    // refused: V8's own sizing and collections apply
  }
}
