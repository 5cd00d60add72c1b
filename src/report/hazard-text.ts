/** "not proposed: …": fixes withheld for a blocking or archiving hazard are said, never cut silently. */
import type { Readiness } from './result.js';

export function withheldLine(rd: Readiness): string | undefined {
  if (!rd.withheld?.length) return undefined;
  const list = rd.withheld.map((w) => `${w.names.join(' + ')} (${w.hazard}; ${w.rules} rule${w.rules === 1 ? ' stays' : 's stay'} without a fix): ${w.reason}`);
  return `not proposed: ${list.join('; ')}`;
}
