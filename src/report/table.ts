/**
 * The default terminal report: one screen for the common case. Headline, readiness per Windows log source,
 * the top ranked fixes with each "how" said once, what the hosts' inputs could not show, and where the rest
 * is. Everything left out here is in --verbose (renderFullTable), JSON and HTML.
 */
import { terminalLine as t } from '../escape.js';
import { budgetLine, rankingNote, retentionLine, volumeCell } from './volume-text.js';
import { withheldLine } from './hazard-text.js';
import type { CheckResult, HostRow, Readiness, RequirementRow } from '../result/result.js';
import { hostLines, renderFullTable, sysmonLines, type Say } from './table-full.js';
import { evidenceTable } from './evidence.js';
import { paint, Table, type TableOptions } from './table-style.js';
import { settingLabels } from './fix-settings.js';

export type { TableOptions } from './table-style.js';
import { groupUnknownReasons, outOfScopeLine, shortLogsource, summaryLine, verdictLine, wrap } from './text.js';
import { fleetGapLines, SCREEN_LINES, screenHow, sysmonStateLine } from './screen.js';

/** Log-source rows and ranked fixes tried in turn until the screen fits: both shrink, neither below 5. */
const FITS: [number, number][] = [
  [12, 10],
  [11, 10],
  [10, 10],
  [9, 10],
  [8, 10],
  [8, 9],
  [8, 8],
  [7, 8],
  [7, 7],
  [6, 7],
  [6, 6],
  [5, 6],
  [5, 5],
];
/** Compact tables: no line between rows. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function renderTable(result: CheckResult, opts: TableOptions = {}): string {
  if (opts.verbose) return renderFullTable(result, opts);
  // One screen: fewer log-source rows first (down to 5), then fewer fixes (down to 5, unless --top says how
  // many); what is left out is counted in a "… more" line and is whole in --verbose.
  let screen = '';
  // The Sysmon per-type table when it fits with at least 8 log-source rows and 10 fixes, else its one-line summary.
  const tries = [
    ...FITS.slice(0, 5).map(([rows, top]) => ({ rows, top, sysmonTable: true })),
    ...FITS.map(([rows, top]) => ({ rows, top, sysmonTable: false })),
  ];
  for (const { rows, top, sysmonTable } of tries) {
    screen = renderScreen(result, opts, { rows, top: opts.top ?? top, sysmonTable });
    if (screen.split('\n').length - 1 <= SCREEN_LINES) return screen;
  }
  return screen;
}

function renderScreen(result: CheckResult, opts: TableOptions, fit: { rows: number; top: number; sysmonTable: boolean }): string {
  // One column short of the terminal: a line exactly as wide as some terminals wraps there. Not on a
  // terminal (a pipe, a file) prose is not wrapped, so every message stays on one line for grep.
  const width = Math.max(60, Math.min(opts.width ?? 120, 200)) - 1;
  const prose = opts.width === undefined ? Infinity : width;
  const color = opts.color ?? false;
  const bold = (s: string) => paint(color, '1', s);
  const dim = (s: string) => paint(color, '2', s);
  const style = { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
  const say = (text: string, indent = '', hanging = indent + '  ') => wrap(t(text), prose, indent, hanging);
  const out: string[] = [];

  out.push(...say(`logsource-check  ${summaryLine(result, { compact: true })}`));
  const rd = result.readiness;
  if (rd) {
    out.push(...say(`Readiness  ${verdictLine(rd.verdicts, rd.hosts.length)}`).map((l, i) => (i === 0 ? bold(l.slice(0, 9)) + l.slice(9) : l)));
    for (const a of rd.assumptions) out.push(...say(`assumed (--assume-defaults): ${a}`, '  ').map(dim));
    for (const n of rd.identity.slice(0, 3)) out.push(...say(`hosts: ${n}`, '  '));
    if (rd.identity.length > 3) out.push(dim(`  … ${rd.identity.length - 3} more inputs naming other computers (--verbose)`));
    out.push(...hostsBlock(rd, width, style, say, dim));
    out.push(
      '',
      bold('Windows log sources') + dim(rd.hosts.length > 1 ? '  (rule × host per verdict)' : '  (rules per verdict)'),
      ...logsourceTable(rd, style, width, fit.rows),
    );
  } else out.push('', bold('Windows log sources'), ...resolvedTable(result, style, width, fit.rows));
  const other = outOfScopeLine(result);
  if (other) out.push(...say(other, '  ').map(dim));
  if (!rd) out.push(...requirementsBlock(result.requirements, style, width, say, bold, dim));

  if (rd?.recommendations.length) {
    const top = fit.top;
    const shown = rd.recommendations.slice(0, top);
    const unlocks = rd.hosts.length > 1 ? 'Unlocks (rules × hosts)' : 'Unlocks';
    const rankWidth = String(shown.length).length + 2;
    const unlockWidth = Math.max(unlocks.length, ...shown.map((f) => f.unlocks.toLocaleString('en-US').length)) + 2;
    const ft = new (Table())({
      head: ['#', unlocks, 'Change (state now)'],
      style,
      chars: COMPACT,
      colWidths: [rankWidth, unlockWidth, Math.max(30, width - rankWidth - unlockWidth - 4)],
      wordWrap: true,
    });
    for (const f of shown)
      ft.push([String(f.rank), f.unlocks.toLocaleString('en-US'), `${settingLabels(f.requires).map(t).join(' + ')} ${dim(`· ${volumeCell(f)}`)}`]);
    out.push('', bold('Top fixes') + dim(`  (each ranked given the ones above it; ${rd.recommendations.length} in all)`), ft.toString());
    for (const line of [rankingNote(rd), budgetLine(rd), retentionLine(rd)]) if (line) out.push(...say(line, '  ', '    ').map(dim));
    // The withheld fixes share the "more" line: the default table stays one screen.
    const more = [rd.recommendations.length > top ? `… ${rd.recommendations.length - top} more (--top N, --verbose)` : '', withheldLine(rd, true) ?? '']
      .filter(Boolean)
      .join(' · ');
    if (more) out.push(...say(more, '  ', '    ').map(dim));
    const how = screenHow(shown, rd.sysmon?.config, say);
    out.push(bold('How') + (how.clipped ? dim('  (… the whole text: --verbose)') : ''), ...how.lines);
    out.push(...say('`fix` with the same arguments and --out DIR writes these as files; `sysmon-config` writes the Sysmon config', '  ').map(dim));
  }
  const held = rd && !rd.recommendations.length ? withheldLine(rd, true) : undefined;
  if (held) out.push('', ...say(held, '  ', '    ').map(dim));
  const kept = rd && !rd.recommendations.length ? retentionLine(rd) : undefined;
  if (kept) out.push(...say(kept, '  ', '    ').map(dim));

  if (rd?.sysmon)
    out.push(
      ...sysmonLines(rd.sysmon, {
        color,
        bold,
        dim,
        say,
        offenders: 3,
        more: '--verbose',
        ...(fit.sysmonTable ? {} : { stateLine: sysmonStateLine(rd.sysmon) }),
      }),
    );
  if (rd?.channels) out.push(...forwardingBlock(rd, style, width, say, bold, dim));
  // One host: what its inputs do not show goes under its "host" line at the top (hostsBlock).
  if (rd && rd.hosts.length > 1) out.push(...fleetGapLines(rd.hosts, say, bold, dim));
  out.push(...evidenceTable(result, { say, bold, dim, width, style }));

  // Unresolved Windows rules (other products' rules are the out-of-scope line): with a host, the headline's
  // unknown causes already count them; the reasons themselves are in --verbose.
  const reasons = groupUnknownReasons(result);
  if (reasons.length && !rd) {
    const n = reasons.reduce((a, [, k]) => a + k, 0);
    out.push('', ...say(`${n} Windows rule(s) unresolved, most often: ${reasons[0]?.[0]} (${reasons[0]?.[1]}) — every reason: --verbose`));
  }
  if (result.errors.length) {
    out.push('', bold(paint(color, '31', `Errors (${result.errors.length})`)));
    for (const e of result.errors.slice(0, 10)) out.push(...say(`${e.path}: ${e.message}`, '  ', '    '));
    if (result.errors.length > 10) out.push(dim(`  … ${result.errors.length - 10} more (--verbose, or --format json)`));
  }
  out.push('', ...say('More: --verbose (every requirement, host, reason and rule) · --format html -o report.html (to share) · --format json').map(dim));
  return out.join('\n') + '\n';
}

/** Sysmon types are named by their config element, one name per element: "Sysmon RegistryEvent (EID 12, 14) (unknown)". */
type Style = { head: string[]; border: string[] };

function hostsBlock(rd: Readiness, width: number, style: Style, say: Say, dim: (s: string) => string): string[] {
  if (rd.hosts.length === 1) {
    const h = rd.hosts[0] as HostRow;
    const gaps = hostLines(h, { seen: false, notes: false }, say, (s) => s).slice(2);
    return [...say(`host ${h.name}${h.role ? `, ${h.role}` : ''} — seen: ${h.seen.inputs.join(', ') || 'nothing'}`, '  ', '    '), ...gaps];
  }
  // A fleet: the least ready hosts, hosts with the same counts in one row (a fleet is mostly look-alikes),
  // ten rows at most; every host in --verbose / JSON / CSV.
  const sorted = [...rd.hosts].sort((a, b) => (a.summary.readiness ?? 101) - (b.summary.readiness ?? 101) || a.name.localeCompare(b.name));
  const rows: { host: HostRow; alike: number }[] = [];
  const keyOf = (h: HostRow) => [h.role, h.summary.ready, h.summary.unknown, h.summary.partial, h.summary.blocked, h.summary.notApplicable].join('|');
  const byKey = new Map<string, { host: HostRow; alike: number }>();
  for (const h of sorted) {
    const key = keyOf(h);
    const row = byKey.get(key);
    if (row) row.alike++;
    else if (rows.length < 10) {
      const r = { host: h, alike: 0 };
      byKey.set(key, r);
      rows.push(r);
    }
  }
  // Six borders and four fixed columns (47): the name column takes the rest of the width, up to 40.
  const ht = new (Table())({
    head: ['Host (least ready first)', 'Role', 'Ready', 'Unknown', 'Ready %'],
    style,
    chars: COMPACT,
    colWidths: [Math.min(40, width - 53), 20, 8, 9, 10],
    wordWrap: true,
  });
  for (const { host: h, alike } of rows)
    ht.push([
      t(h.name) + (alike ? dim(` +${alike.toLocaleString('en-US')} alike`) : ''),
      t(h.role ?? '?'),
      String(h.summary.ready),
      String(h.summary.unknown),
      h.summary.readiness === null ? '—' : `${h.summary.readiness}%`,
    ]);
  const lines = [ht.toString()];
  const listed = rows.reduce((a, r) => a + 1 + r.alike, 0);
  if (rd.hosts.length > listed) lines.push(dim(`  … ${(rd.hosts.length - listed).toLocaleString('en-US')} more hosts (--verbose, or --format csv/json)`));
  return lines;
}

function logsourceTable(rd: Readiness, style: Style, width: number, rows: number): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const shown = rd.logsources.slice(0, rows);
  const layout = (wide: boolean) => {
    const head = wide
      ? ['Log source', 'Rules', 'Ready', 'Partial', 'Blocked', 'Unknown', 'N/A', 'Ready %']
      : ['Log source', 'Rules', 'Ready', 'Blocked', 'Unknown', 'Ready %'];
    const rows = shown.map((l) => {
      const pct = l.readiness === null ? '—' : `${l.readiness}%`;
      return wide
        ? [t(shortLogsource(l.logsource)), n(l.rules), n(l.ready), n(l.partial), n(l.blocked), n(l.unknown), n(l.notApplicable), pct]
        : [t(shortLogsource(l.logsource)), n(l.rules), n(l.ready), n(l.blocked), n(l.unknown), pct];
    });
    // Count columns as wide as their longest number (a fleet counts rule × host in the millions): never cut.
    const counts = head.slice(1).map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j + 1] as string).length)) + 2);
    return { head, rows, counts, fixed: counts.reduce((a, b) => a + b, 0) + head.length + 1 };
  };
  // Partial and N/A go where they do not fit (they stay in --verbose, JSON and HTML).
  let l = layout(true);
  if (width < 99 || l.fixed + 16 > width) l = layout(false);
  const name = Math.max(16, Math.min(44, width - l.fixed));
  const lt = new (Table())({ head: l.head, style, chars: COMPACT, colWidths: [name, ...l.counts], wordWrap: true });
  for (const r of l.rows) lt.push(r);
  const rest = rd.logsources.slice(rows);
  const lines = [lt.toString()];
  if (rest.length) {
    const ready = rest.reduce((a, x) => a + x.ready, 0);
    const rules = rest.reduce((a, x) => a + x.rules, 0);
    lines.push(`  … ${rest.length} more Windows log sources with ${n(rules)} rules (${n(ready)} ready): --verbose`);
  }
  return lines;
}

/** Without a host: rules per Windows log source and whether the catalog resolves it. */
function resolvedTable(result: CheckResult, style: Style, width: number, rows: number): string[] {
  const list = result.summary.logsources.filter((l) => l.logsource.startsWith('windows'));
  const lt = new (Table())({
    head: ['Log source', 'Rules', 'Resolved'],
    style,
    chars: COMPACT,
    colWidths: [Math.max(20, Math.min(50, width - 22)), 7, 10],
    wordWrap: true,
  });
  for (const l of list.slice(0, rows)) lt.push([t(shortLogsource(l.logsource)), String(l.rules), l.resolved ? 'yes' : 'unknown']);
  const rest = list.slice(rows);
  const lines = [lt.toString()];
  if (rest.length) lines.push(`  … ${rest.length} more Windows log sources with ${rest.reduce((a, l) => a + l.rules, 0)} rules: --verbose`);
  return lines;
}

/** Without a host: what the rule set needs, Sysmon types grouped per config element, each "how" said once. */
function requirementsBlock(reqs: RequirementRow[], style: Style, width: number, say: Say, bold: (s: string) => string, dim: (s: string) => string): string[] {
  if (!reqs.length) return ['', 'No Windows requirement found in this rule set.'];
  const rows: { name: string; rules: number; only: number }[] = [];
  const groups = new Map<string, { name: string; ids: string[]; rules: number; only: number }>();
  for (const q of reqs) {
    if (!q.group) {
      rows.push({ name: q.name, rules: q.rules, only: q.essentialFor });
      continue;
    }
    const g = groups.get(q.group) ?? { name: q.group, ids: [], rules: 0, only: 0 };
    if (!groups.has(q.group)) rows.push(g);
    g.ids.push(q.id.slice(7));
    // A rule can need two types of one element: the larger count is a floor, the sum an upper bound; show the larger.
    g.rules = Math.max(g.rules, q.rules);
    g.only = Math.max(g.only, q.essentialFor);
    groups.set(q.group, g);
  }
  for (const g of groups.values()) g.name = `Sysmon ${g.name} (EID ${g.ids.sort((a, b) => Number(a) - Number(b)).join(', ')})`;
  const rt = new (Table())({
    head: ['Requirement', 'Rules', 'Only way'],
    style,
    chars: COMPACT,
    colWidths: [Math.max(30, Math.min(70, width - 22)), 7, 10],
    wordWrap: true,
  });
  for (const r of rows.slice(0, 15)) rt.push([t(r.name), String(r.rules), String(r.only)]);
  const lines = ['', bold('Requirements') + dim('  (Rules: rules needing it in some alternative; Only way: in every alternative)'), rt.toString()];
  if (rows.length > 15) lines.push(dim(`  … ${rows.length - 15} more (--verbose)`));
  const kinds = new Map<string, number>();
  for (const q of reqs) kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
  lines.push(bold('How'));
  // Blocking and archiving elements (describe.ts: "not proposed") are never in the "logs" list.
  const held = [...groups.keys()].filter((el) => reqs.some((q) => q.group === el && q.enable.startsWith('not proposed')));
  const logs = [...groups.keys()].filter((el) => !held.includes(el));
  if (kinds.get('sysmon'))
    lines.push(
      ...say(
        `Sysmon: install it with a config that logs ${logs.join(', ')}; logsource-check sysmon-config RULES -o sysmon.xml writes one${held.length ? ` (not ${held.join(', ')}: they block or archive data, docs/safe-to-deploy.md)` : ''}`,
        '  ',
        '    ',
      ),
    );
  if (kinds.get('audit'))
    lines.push(
      ...say(
        `audit policy (${kinds.get('audit')} settings): the GPO's Advanced Audit Policy Configuration, or auditpol; with a host input, logsource-check fix writes audit.csv`,
        '  ',
        '    ',
      ),
    );
  // The commands of the settings the table shows (the rest: --verbose).
  const commands = reqs.filter((q) => q.command && rows.slice(0, 15).some((r) => r.name === q.name)).map((q) => `${q.name}: ${q.command}`);
  for (const c of commands.slice(0, 8)) lines.push(...say(c, '    ', '      '));
  if (commands.length > 8) lines.push(dim(`    … ${commands.length - 8} more commands (--verbose)`));
  if (kinds.get('policy'))
    lines.push(...say(`policies (${kinds.get('policy')}): their GPO paths are in --verbose; logsource-check fix writes logging-policies.reg`, '  ', '    '));
  if (kinds.get('channel'))
    lines.push(...say(`channels (${kinds.get('channel')}): wevtutil sl "<channel>" /e:true; logsource-check fix writes enable-channels.cmd`, '  ', '    '));
  if (kinds.get('sacl')) lines.push(...say('object access: audit SACLs on the watched objects; logsource-check fix writes set-audit-sacls.ps1', '  ', '    '));
  if (kinds.get('role')) lines.push(...say('host roles: some events exist only on domain controllers or servers of a role (no setting)', '  ', '    '));
  return lines;
}

/** Forwarding: the channels where the collectors miss event IDs the rules need; complete ones in one line. */
function forwardingBlock(rd: Readiness, style: Style, width: number, say: Say, bold: (s: string) => string, dim: (s: string) => string): string[] {
  const channels = rd.channels ?? [];
  const lacking = channels.filter((c) => c.missing.length || c.rulesAffected);
  const lines = ['', bold('Forwarding') + dim('  (what the collector configs ship, per channel the rules read)')];
  if (lacking.length) {
    const ct = new (Table())({
      head: ['Channel', 'Missing event IDs', 'Rules affected'],
      style,
      chars: COMPACT,
      colWidths: [Math.min(50, Math.max(24, width - 44)), 26, 16],
      wordWrap: true,
    });
    for (const c of lacking.slice(0, 10))
      ct.push([t(c.channel), c.missing.length ? c.missing.join(', ') : c.forwarded === 'none' ? 'all (channel not forwarded)' : '—', String(c.rulesAffected)]);
    lines.push(ct.toString());
    if (lacking.length > 10) lines.push(dim(`  … ${lacking.length - 10} more channels (--verbose)`));
  }
  const complete = channels.length - lacking.length;
  if (complete) lines.push(...say(`${complete} channel(s) forwarded with every event ID the rules need`, '  '));
  return lines;
}
