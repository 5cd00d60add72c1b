/**
 * Renderers of the `baseline` command (a host or fleet against one baseline, setting by setting) and of the
 * baseline list. Every string from inputs or data goes through src/escape.ts for its output kind.
 */
import type { Baseline } from '../catalog/baselines.js';
import { STATUSES, type BaselineComparison, type SettingComparison, type SettingStatus } from '../assess/baseline.js';
import { csvCell, jsonSafe, markdownCell, terminal, terminalLine } from '../escape.js';
import { lazy } from '../lazy.js';
import { markdownCutNote, tableText } from './cell.js';
import { Table } from './table-style.js';

export type BaselineFormat = 'table' | 'json' | 'markdown' | 'csv';
export interface BaselineRenderOptions {
  verbose?: boolean;
  /** Terminal width for the tables (default 100). */
  width?: number;
}

const csv = lazy<typeof import('csv-stringify/sync')>('csv-stringify/sync');
/** No line between table rows. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function renderBaselineComparison(baseline: Baseline, hosts: BaselineComparison[], format: BaselineFormat, opts: BaselineRenderOptions = {}): string {
  if (format === 'json') return `${jsonSafe(JSON.stringify({ schemaVersion: 1, baseline: baselineInfo(baseline), hosts }, null, 2))}\n`;
  if (format === 'csv') {
    const rows = hosts.flatMap((h) =>
      h.settings.map((s) => [h.host, baseline.name, s.kind, s.key, s.name, s.want, s.have, s.status, s.required ? 'yes' : 'no', s.detail].map(csvCell)),
    );
    return csv().stringify(rows, {
      header: true,
      columns: ['host', 'baseline', 'kind', 'setting', 'name', 'baseline_wants', 'host_has', 'status', 'required', 'detail'],
    });
  }
  if (format === 'markdown') return markdown(baseline, hosts, opts);
  return table(baseline, hosts, opts);
}

/** `baseline --list`: name, title, version and source of every shipped baseline. */
export function renderBaselineList(list: Baseline[], format: BaselineFormat, families: { name: string; members: Baseline[] }[] = []): string {
  if (format === 'json') return `${jsonSafe(JSON.stringify(list.map(baselineInfo), null, 2))}\n`;
  if (format === 'csv')
    return csv().stringify(
      list.map((b) => [b.name, b.title, b.publisher, b.version, b.source, b.role ?? ''].map(csvCell)),
      { header: true, columns: ['name', 'title', 'publisher', 'version', 'source', 'role'] },
    );
  if (format === 'markdown') {
    const rows = list.map((b) => `| \`${b.name}\` | ${markdownCell(b.title)} | ${markdownCell(b.version)} | ${markdownCell(b.source)} |`);
    return ['| Baseline | Title | Version | Source |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
  }
  const fam = families.map((f) =>
    terminal(
      `${f.name}\n  one variant per computer type, picked for each host by its role: ${f.members.map((m) => `${m.name} (${m.role}${m.feature ? `, ${m.feature}` : ''})`).join(', ')}`,
    ),
  );
  return `${[...list.map((b) => terminal(`${b.name}\n  ${b.title}\n  ${b.publisher} · ${b.version} · ${counts(b)}\n  ${b.source}`)), ...fam].join('\n')}\n`;
}

function baselineInfo(b: Baseline) {
  return {
    name: b.name,
    title: b.title,
    publisher: b.publisher,
    version: b.version,
    source: b.source,
    role: b.role ?? null,
    ...(b.feature ? { feature: b.feature } : {}),
    file: b.file,
    settings: { audit: b.audit.length, logs: b.logs.length, policies: b.policies.length, channels: b.channels.length },
    ...(b.sacls || b.forwards ? { recorded: { sacls: b.sacls?.length ?? 0, forwards: b.forwards?.length ?? 0 } } : {}),
  };
}

function counts(b: Baseline): string {
  const parts = [`${b.audit.length} audit subcategories`];
  if (b.logs.length) parts.push(`${b.logs.length} log sizes`);
  if (b.policies.length) parts.push(`${b.policies.length} policies`);
  if (b.channels.length) parts.push(`${b.channels.length} channels`);
  // Recorded with their sources but never compared (no input shows them).
  if (b.sacls?.length) parts.push(`${b.sacls.length} SACL entries recorded`);
  if (b.forwards?.length) parts.push(`${b.forwards.length} forwarding subscriptions recorded`);
  return parts.join(', ');
}

/** "14 of 28 required settings met (50%) — meets 10 · stronger 4 · weaker 3 · missing 8 · unknown 3". */
export function hostLine(h: BaselineComparison): string {
  const pct = h.metPercent === null ? 'the baseline requires nothing' : `${h.met} of ${h.required} required settings met (${h.metPercent}%)`;
  return `${pct} — ${STATUSES.map((s) => `${s} ${h.counts[s]}`).join(' · ')}`;
}

function headline(b: Baseline): string {
  return `Baseline ${b.name} — ${b.title} · ${b.version}`;
}

/** Settings shown per host: all with --verbose, else the required ones and any "stronger" (extra logging). */
function shown(h: BaselineComparison, verbose?: boolean): SettingComparison[] {
  return verbose ? h.settings : h.settings.filter((s) => s.required || s.status === 'stronger');
}

function table(b: Baseline, hosts: BaselineComparison[], opts: BaselineRenderOptions): string {
  const width = Math.max(60, Math.min(opts.width ?? 100, 200)) - 1;
  const out = [terminalLine(headline(b)), `  ${terminalLine(b.source)}`];
  if (hosts.length > 1) {
    const ht = new (Table())({ head: ['Host', 'Met', ...STATUSES], style: { head: [], border: [] }, chars: COMPACT });
    for (const h of hosts) ht.push([terminalLine(h.host), h.metPercent === null ? '-' : `${h.metPercent}%`, ...STATUSES.map((s) => String(h.counts[s]))]);
    out.push('', ht.toString());
  }
  if (hosts.length === 1 || opts.verbose) {
    for (const h of hosts) {
      const rows = shown(h, opts.verbose);
      // Four columns and five borders fill the width: the setting name gets half of what the fixed ones leave.
      const nameW = Math.max(24, Math.floor((width - 39) / 2));
      const st = new (Table())({
        head: ['Setting', 'Baseline wants', 'Host has', 'Status'],
        style: { head: [], border: [] },
        chars: COMPACT,
        colWidths: [nameW, 22, Math.max(16, width - nameW - 39), 12],
        wordWrap: true,
      });
      for (const s of rows) st.push([terminal(s.name), terminal(s.want), terminal(s.have), s.required ? s.status : `(${s.status})`]);
      out.push('', terminalLine(`Host ${h.host}: ${hostLine(h)}`), st.toString());
      const hidden = h.settings.length - rows.length;
      if (hidden) out.push(`  ${hidden} setting(s) the baseline does not require and the host does not exceed are hidden (--verbose shows them)`);
      out.push('  (status) in brackets: the baseline asks nothing there; not counted');
    }
  } else {
    out.push(
      '',
      ...settingsMatrix(hosts).map(([name, want, tally]) => terminalLine(`  ${name} (${want}): ${tally}`)),
      '  --verbose shows every host setting by setting',
    );
  }
  return `${out.join('\n')}\n`;
}

/** Fleet view: per required setting, how many hosts are in each status (only settings some host does not meet). */
function settingsMatrix(hosts: BaselineComparison[]): [string, string, string][] {
  const first = hosts[0];
  if (!first) return [];
  return first.settings
    .map((s, i) => {
      const tally = new Map<SettingStatus, number>();
      for (const h of hosts) {
        const st = h.settings[i]?.status ?? 'unknown';
        tally.set(st, (tally.get(st) ?? 0) + 1);
      }
      return { s, tally };
    })
    .filter(({ s, tally }) => s.required && (tally.get('weaker') ?? 0) + (tally.get('missing') ?? 0) + (tally.get('unknown') ?? 0) > 0)
    .map(({ s, tally }) => [
      s.name,
      s.want,
      STATUSES.filter((x) => tally.get(x))
        .map((x) => `${x} ${tally.get(x)}`)
        .join(' · '),
    ]);
}

function markdown(b: Baseline, hosts: BaselineComparison[], opts: BaselineRenderOptions): string {
  markdownCutNote(); // a fresh count for this report
  const out = [`### ${markdownCell(headline(b))}`, '', `Source: ${markdownCell(b.source)}`, ''];
  if (hosts.length > 1) {
    out.push(`| Host | Met | ${STATUSES.join(' | ')} |`, `| --- | --- |${STATUSES.map(() => ' --- |').join('')}`);
    for (const h of hosts)
      out.push(
        `| ${markdownCell(tableText(h.host))} | ${h.metPercent === null ? '-' : `${h.metPercent}%`} | ${STATUSES.map((s) => h.counts[s]).join(' | ')} |`,
      );
    out.push('');
  }
  for (const h of hosts.length === 1 || opts.verbose ? hosts : []) {
    out.push(`**${markdownCell(h.host)}**: ${markdownCell(hostLine(h))}`, '', '| Setting | Baseline wants | Host has | Status |', '| --- | --- | --- | --- |');
    for (const s of shown(h, opts.verbose))
      out.push(
        `| ${markdownCell(tableText(s.name))} | ${markdownCell(tableText(s.want))} | ${markdownCell(tableText(s.have))} | ${s.required ? s.status : `(${s.status})`} |`,
      );
    out.push('');
  }
  if (hosts.length > 1 && !opts.verbose) {
    out.push(
      '| Setting | Baseline wants | Hosts |',
      '| --- | --- | --- |',
      ...settingsMatrix(hosts).map(([n, w, t]) => `| ${markdownCell(tableText(n))} | ${markdownCell(tableText(w))} | ${markdownCell(tableText(t))} |`),
      '',
    );
  }
  out.push(...markdownCutNote());
  return `${out.join('\n')}\n`;
}
