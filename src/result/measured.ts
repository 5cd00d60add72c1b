/**
 * The measured figures of a report (issue 24): each ranked fix's cost and each log's retention, added to a result
 * whose ranking was made without the evidence (fix reads --observed apart from its assessment) or to complete one.
 */
import { MeasuredIndex, WINDOW_TEXT } from '../assess/measured-cost.js';
import { fixesOf, retention, type HostLogSizes } from '../assess/retention.js';
import type { CheckResult } from './result.js';

export function withMeasured(result: CheckResult, measured: MeasuredIndex | undefined, sizes: HostLogSizes[]): CheckResult {
  const rd = result.readiness;
  if (!measured || !rd) return result;
  const recommendations = rd.recommendations.map((r) => (r.measuredCost ? r : { ...r, measuredCost: measured.measure(r.requires.map((q) => q.id)) }));
  const list = sizes.some((h) => h.logs.length) ? retention(measured, sizes, fixesOf(recommendations)) : [];
  const measuredCost = rd.measuredCost ?? (recommendations.length ? { window: WINDOW_TEXT } : undefined);
  return { ...result, readiness: { ...rd, recommendations, ...(measuredCost ? { measuredCost } : {}), ...(list.length ? { retention: list } : {}) } };
}
