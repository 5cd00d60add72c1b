/**
 * Memory for fleets. V8 grows its young generation from 1 MB as objects survive; while it is small, the
 * short-lived objects of each host outlive two collections and are promoted to the old generation, which
 * then fills with garbage until a full collection. On 10,000 gpresult files that decided the peak: runs
 * where the young generation stayed small peaked at 290–350 MB (about a quarter of the runs), the others
 * at ~165 MB (bench/run.mjs; V8's --trace-gc showed 85 MB promoted between full collections instead of 4).
 * A fleet sets the young generation at its usual full size (16 MB a semi-space) once it is clearly a fleet;
 * measured: 20 runs at 155–182 MB, none above. The flag is set through V8's documented flags API.
 */
import { setFlagsFromString } from 'node:v8';

export function youngGenerationForFleet(): void {
  try {
    setFlagsFromString('--min-semi-space-size=16');
  } catch {
    // refused: V8's own sizing applies
  }
}
