import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loads a dependency on first use. Start-up time matters for a CLI run in CI loops: `yaml`,
 * `picomatch` and `cli-table3` together cost ~130 ms to import and many runs need none of them
 * (a warm parse cache needs no YAML parser, JSON output no table).
 */
export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
