/**
 * Renderer of `check --baseline`: the rule set against each baseline as if it were a host, side by side —
 * readiness per baseline, per log source, and the settings each baseline lacks for this rule set.
 */
import type { BaselineCheck, BaselineLack, BaselineReadiness } from '../assess/baseline-check.js';
import type { VerdictCounts } from '../assess/counts.js';
import type { Catalog } from '../catalog/catalog.js';
import { describeRequirement } from '../requirements/describe.js';
import { csvCell, jsonSafe, markdownCell, markdownCode, terminal, terminalLine } from '../escape.js';
import { lazy } from '../lazy.js';
import { markdownCutNote, tableText } from './cell.js';
import { Table } from './table-style.js';
import type { BaselineFormat, BaselineRenderOptions } from './baseline.js';
import type { CheckResult } from '../result/result.js';

const csv = lazy<typeof import('csv-stringify/sync')>('csv-stringify/sync');
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
/** Log-source rows and lacking settings per baseline shown without --verbose. */
const TOP_LOGSOURCES = 15;
const TOP_LACKS = 8;

const n = (x: number) => x.toLocaleString('en-US');
const pct = (c: VerdictCounts) => (c.readiness === null ? '-' : `${c.readiness}%`);

/** "microsoft-client: 310 rules ready (13.0%) of 2,386 applicable — partial 12 · blocked 900 · unknown 1,100 · n/a 21". */
export function baselineLine(b: BaselineReadiness): string {
  const s = b.summary;
  const causes = Object.entries(s.unknownCauses)
    .sort((x, y) => y[1] - x[1])
    .map(([c, k]) => `${c}: ${n(k)}`);
  return `${b.baseline.name}: ${n(s.ready)} rules ready (${pct(s)}) of ${n(s.applicable)} applicable — partial ${n(s.partial)} · blocked ${n(s.blocked)} · unknown ${n(s.unknown)}${causes.length ? ` (${causes.join(' · ')})` : ''} · not applicable ${n(s.notApplicable)}`;
}

function shortLogsource(key: string): string {
  const m = /^windows\/(category|service)\/(.+)$/.exec(key);
  return m ? (m[1] === 'category' ? (m[2] as string) : `service: ${m[2]}`) : key;
}

/** Log sources in the order of the first baseline (most applicable rules first), each baseline's counts beside. */
function matrix(check: BaselineCheck): { logsource: string; cells: (VerdictCounts | undefined)[] }[] {
  const keys = check.baselines[0]?.logsources.map((l) => l.logsource) ?? [];
  return keys.map((k) => ({ logsource: k, cells: check.baselines.map((b) => b.logsources.find((l) => l.logsource === k)?.counts) }));
}

function cell(c: VerdictCounts | undefined): string {
  if (!c) return '-';
  return c.applicable ? `${n(c.ready)}/${n(c.applicable)} ${pct(c)}` : `n/a ${n(c.notApplicable)}`;
}

function lackName(id: string, catalog: Catalog): string {
  return describeRequirement(id, catalog).name;
}

/** Why the baseline lacks it: set off, left at a disabled default, or not said at all. */
function lackState(l: BaselineLack): string {
  if (l.state === 'partial') return 'only in part';
  if (l.state === 'unset') return 'not set by the baseline';
  if (l.state === 'unrecorded') return 'the baseline as recorded holds no settings of this kind';
  return l.id.startsWith('audit:') ? 'No Auditing in the baseline' : 'not set by the baseline: disabled by default';
}

export function renderBaselineCheck(
  result: CheckResult,
  check: BaselineCheck,
  catalog: Catalog,
  format: BaselineFormat,
  opts: BaselineRenderOptions = {},
): string {
  if (format === 'json') {
    const baselines = check.baselines.map((b) => ({ ...b, lacks: b.lacks.map((l) => ({ ...l, name: lackName(l.id, catalog) })) }));
    return `${jsonSafe(JSON.stringify({ schemaVersion: 1, rules: { scanned: result.summary.rulesScanned, windows: result.summary.windowsRules }, baselines }, null, 2))}\n`;
  }
  if (format === 'csv') {
    const rows = check.baselines.flatMap((b) =>
      [{ logsource: '(all)', counts: b.summary }, ...b.logsources].map((l) =>
        [
          b.baseline.name,
          l.logsource,
          l.counts.ready,
          l.counts.partial,
          l.counts.blocked,
          l.counts.unknown,
          l.counts.notApplicable,
          l.counts.applicable,
          l.counts.readiness ?? '',
        ].map(csvCell),
      ),
    );
    return csv().stringify(rows, {
      header: true,
      columns: ['baseline', 'logsource', 'ready', 'partial', 'blocked', 'unknown', 'not_applicable', 'applicable', 'ready_percent'],
    });
  }
  const rows = matrix(check);
  const top = opts.verbose ? rows : rows.slice(0, TOP_LOGSOURCES);
  const lacksOf = (b: BaselineReadiness) => (opts.verbose ? b.lacks : b.lacks.slice(0, TOP_LACKS));
  const outside = (b: BaselineReadiness) =>
    Object.entries(b.outside)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(' · ');
  const s = result.summary;
  if (format === 'markdown') {
    markdownCutNote(); // a fresh count for this report
    const out = [`### Baselines as hosts — ${n(s.rulesScanned)} rules, ${n(s.windowsRules)} Windows`, ''];
    for (const b of check.baselines)
      out.push(
        `- **${markdownCell(b.baseline.name)}** — ${markdownCell(b.baseline.title)} (${markdownCell(b.baseline.version)}): ${markdownCell(baselineLine(b).slice(b.baseline.name.length + 2))}`,
      );
    out.push(
      '',
      `| Log source | ${check.baselines.map((b) => `\`${markdownCode(b.baseline.name)}\``).join(' | ')} |`,
      `| --- |${check.baselines.map(() => ' --- |').join('')}`,
    );
    for (const r of top) out.push(`| ${markdownCell(tableText(shortLogsource(r.logsource)))} | ${r.cells.map(cell).join(' | ')} |`);
    if (top.length < rows.length) out.push('', `${rows.length - top.length} more log sources (--verbose)`);
    for (const b of check.baselines) {
      out.push('', `**${markdownCell(b.baseline.name)} lacks** (rules not ready for want of it):`, '');
      for (const l of lacksOf(b)) out.push(`- ${markdownCell(lackName(l.id, catalog))} — ${n(l.rules)} rules (${lackState(l)})`);
      if (b.lacks.length > lacksOf(b).length) out.push(`- … ${b.lacks.length - lacksOf(b).length} more (--verbose)`);
      if (outside(b)) out.push(`- needs what no logging baseline sets: ${markdownCell(outside(b))}`);
    }
    out.push(...markdownCutNote());
    return `${out.join('\n')}\n`;
  }
  const width = Math.max(60, Math.min(opts.width ?? 100, 200)) - 1;
  const out = [
    terminalLine(`logsource-check  ${n(s.rulesScanned)} rules scanned · ${n(s.windowsRules)} Windows · each baseline assessed as if it were a host`),
  ];
  for (const b of check.baselines) {
    out.push(
      terminalLine(`${b.baseline.name}  ${b.baseline.title} · ${b.baseline.version}`),
      terminalLine(`  ${baselineLine(b).slice(b.baseline.name.length + 2)}`),
    );
    for (const a of b.assumptions) out.push(terminalLine(`  assumed (--assume-defaults): ${a}`));
  }
  // A column per baseline, as wide as its name (bounded), the log-source column takes what is left.
  const cols = check.baselines.map((b) => Math.max(16, Math.min(30, b.baseline.name.length + 2)));
  const first = Math.max(18, width - cols.reduce((x, y) => x + y + 1, 0) - 2);
  const t = new (Table())({
    head: ['Log source (ready/applicable)', ...check.baselines.map((b) => terminalLine(b.baseline.name))],
    style: { head: [], border: [] },
    chars: COMPACT,
    colWidths: [first, ...cols],
    wordWrap: true,
  });
  for (const r of top) t.push([terminal(shortLogsource(r.logsource)), ...r.cells.map(cell)]);
  out.push('', t.toString());
  if (top.length < rows.length) out.push(`  … ${rows.length - top.length} more log sources (--verbose)`);
  for (const b of check.baselines) {
    out.push('', terminalLine(`${b.baseline.name} lacks (rules not ready for want of it):`));
    for (const l of lacksOf(b)) out.push(terminalLine(`  ${n(l.rules).padStart(6)}  ${lackName(l.id, catalog)}  (${lackState(l)})`));
    if (!b.lacks.length) out.push('  nothing a logging baseline can set');
    if (b.lacks.length > lacksOf(b).length) out.push(`  … ${b.lacks.length - lacksOf(b).length} more (--verbose)`);
    if (outside(b)) out.push(terminalLine(`  also needed, set by no logging baseline (rules): ${outside(b)}`));
  }
  return `${out.join('\n')}\n`;
}
