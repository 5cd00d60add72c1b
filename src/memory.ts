/**
 * A full garbage collection on request, for the one place that needs it: a fleet read in one synchronous
 * stretch. V8 sizes its old generation by its own heuristics; on a busy machine its incremental marking
 * falls behind and a 10,000-host run peaked at 320–350 MB in about a third of the runs instead of ~170 MB
 * (measured with bench/run.mjs; letting the event loop turn did not prevent it). A collection every few
 * thousand hosts keeps the peak at what is alive, for ~30 ms each.
 *
 * `gc` is exposed by V8's --expose-gc flag, set here at run time (the documented flags API; the function
 * is then read from a fresh context). Where that is refused, nothing happens.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f = runInNewContext('gc') as unknown;
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
