import type { CheckResult } from './result.js';

/** The JSON report is the result object itself (schemaVersion 1, documented in the README). */
export function renderJson(result: CheckResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
