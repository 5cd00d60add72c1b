import { lazy } from '../lazy.js';
import { csvCell } from '../escape.js';
import type { CheckResult } from '../result/result.js';
import { noHostVerdict } from './text.js';

const csv = lazy<typeof import('csv-stringify/sync')>('csv-stringify/sync');

/**
 * CSV for spreadsheets: with several hosts, the host × readiness matrix (one row per host); otherwise one
 * row per rule with its verdict (when a host was given) and what it misses.
 */
export function renderCsv(result: CheckResult): string {
  const rd = result.readiness;
  if (rd && rd.hosts.length > 1) {
    return csv().stringify(
      rd.hosts.map((h) =>
        [
          h.name,
          h.files.join(' '),
          h.summary.ready,
          h.summary.degraded,
          h.summary.partial,
          h.summary.blocked,
          h.summary.unknown,
          h.summary.readiness ?? '',
          h.summary.notApplicable,
          h.summary.applicable,
          h.role ?? '',
        ].map(csvCell),
      ),
      {
        header: true,
        columns: ['host', 'files', 'ready', 'degraded', 'partial', 'blocked', 'unknown', 'ready_percent', 'not_applicable', 'applicable', 'role'],
      },
    );
  }
  return csv().stringify(
    result.rules.map((r) =>
      safe([
        r.path,
        r.id ?? '',
        r.title,
        r.level ?? '',
        r.logsourceKey,
        r.verdict ?? noHostVerdict(r, ''),
        (r.degraded ?? []).join(' '),
        (r.missing ?? []).join(' '),
        r.alternatives.map((a) => a.join(' + ')).join(' | '),
        r.unknownReason ?? '',
      ]),
    ),
    { header: true, columns: ['path', 'id', 'title', 'level', 'logsource', 'verdict', 'degraded', 'missing', 'alternatives', 'unknown_reason'] },
  );
}

/** Every cell through csvCell: titles, ids and paths from rules must not run as spreadsheet formulas. */
function safe(row: (string | number)[]): (string | number)[] {
  return row.map(csvCell);
}
