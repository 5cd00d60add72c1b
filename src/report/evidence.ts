/**
 * The Evidence section of the table, Markdown and HTML reports (--observed): the headline per evidence
 * state, per log source observed vs not, the channels the rules read that nothing shows, and the rules that
 * are configured on but silent or seen despite the configuration. Each renderer calls one function here.
 */
import type { EvidenceReport } from '../assess/evidence-summary.js';
import { stateLine } from '../assess/evidence-summary.js';
import { EVIDENCE_STATES, type EvidenceHost, type EvidenceState } from '../assess/evidence.js';
import { markdownCell as cell, terminalLine as t, htmlAttr as attr, htmlText as esc } from '../escape.js';
import type { CheckResult, RuleRow } from '../result/result.js';
import { tableText } from './cell.js';
import { Table } from './table-style.js';
import { shortLogsource } from './text.js';

const n = (x: number) => x.toLocaleString('en-US');
const STATES = EVIDENCE_STATES;
const COLORS: Record<EvidenceState, string> = {
  observed: '#3c9a4f',
  'observed-without-fields': '#9bbf3a',
  'partly-observed': '#e0a526',
  silent: '#d2463a',
  'observed-despite-config': '#7b4fb4',
  'not-observed': '#9aa3ad',
};

/** "83.0% of 2,392 judged Windows rules observed — observed 1,985 · partly 36 · …". */
export function evidenceHeadline(ev: EvidenceReport): string {
  const hosts = ev.hosts.length > 1 ? ' (rule × host)' : '';
  const share = ev.observedShare === null ? 'no rule judged' : `${ev.observedShare}% of ${n(ev.judged)} judged Windows rules${hosts} observed`;
  return `${share} — ${stateLine(ev.counts)}`;
}

/** What was read and over what time: "34 files (EVTX 34) · 6,786 events · 2013-10-23 → 2024-11-04 · …". */
export function evidenceInputsLine(ev: EvidenceReport): string {
  const kinds = Object.entries(ev.sources.kinds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const first = ev.hosts
    .map((h) => h.first)
    .filter((x): x is string => !!x)
    .sort()[0];
  const last = ev.hosts
    .map((h) => h.last)
    .filter((x): x is string => !!x)
    .sort()
    .pop();
  const implied = ev.hosts.length === 1 && ev.hosts[0]?.implied;
  const who = implied
    ? `no host input: everything observed is judged as one host${(ev.hosts[0]?.computers.length ?? 0) > 1 ? ` (${ev.hosts[0]?.computers.length} computers together)` : ''}`
    : `${ev.hosts.filter((h) => h.events).length} of ${ev.hosts.length} host(s) named by the observations`;
  return [
    `${ev.sources.files} file(s)${kinds ? ` (${kinds})` : ''}`,
    `${n(ev.sources.events)} events`,
    first && last ? `${first.slice(0, 10)} → ${last.slice(0, 10)}` : 'no times',
    who,
  ].join(' · ');
}

/**
 * "fields: 3 rule(s) observed without fields (CommandLine empty in Security 4688: policy:… fills it)": one line
 * per host with field evidence that leaves rules without fields.
 */
export function fieldsLine(h: EvidenceHost): string | undefined {
  const e = h.emptyFields;
  if (!e?.length) return undefined;
  const rules = h.counts['observed-without-fields'];
  const what = e
    .slice(0, 3)
    .map(
      (f) =>
        `${f.field}${f.eventField ? ` (${f.eventField})` : ''} empty in ${f.channel} ${f.eventIds.join(', ')}${f.setting || f.settingText ? `: ${f.setting ?? f.settingText} fills it` : ''}`,
    );
  return `fields: ${n(rules)} rule(s) observed without fields (${what.join('; ')}${e.length > 3 ? `; ${e.length - 3} more` : ''})`;
}

/** "setting: the events say on (basis), the inputs say off (reason): the inputs are stale or incomplete". */
export function conflictLines(h: EvidenceHost): string[] {
  return (h.conflicts ?? []).map(
    (c) => `${c.setting}: the events say ${c.evidence} (${c.basis}), the inputs say ${c.config}: the inputs are stale or incomplete`,
  );
}

/** Per host (prefixed by its name over several hosts): the fields line and the setting conflicts. */
function fieldNotes(ev: EvidenceReport): { fields: string[]; conflicts: string[] } {
  const pre = (h: EvidenceHost) => (ev.hosts.length > 1 ? `${h.name}: ` : '');
  return {
    fields: ev.hosts.flatMap((h) => {
      const l = fieldsLine(h);
      return l ? [pre(h) + l] : [];
    }),
    conflicts: ev.hosts.flatMap((h) => conflictLines(h).map((l) => pre(h) + l)),
  };
}

/** Channels that arrive from no host although rules not observed read them, most such rules first. */
function absentChannels(ev: EvidenceReport): EvidenceReport['channels'] {
  return ev.channels
    .filter((c) => c.rulesNotObserved > 0 && c.events === 0)
    .sort((a, b) => b.rulesNotObserved - a.rulesNotObserved || a.channel.localeCompare(b.channel));
}

/** Rules in a state (on one host, or on any host of a fleet), for the short lists. */
function rulesIn(result: CheckResult, state: EvidenceState): RuleRow[] {
  return result.rules.filter((r) => r.kind === 'rule' && (r.evidence?.state === state || (r.evidenceStates?.[state] ?? 0) > 0));
}

type Say = (text: string, indent?: string, hanging?: string) => string[];

export interface EvidenceTableStyle {
  say: Say;
  bold: (s: string) => string;
  dim: (s: string) => string;
  width: number;
  style: { head: string[]; border: string[] };
  verbose?: boolean;
}

/** The terminal section: short by default (12 log sources, 3 rules per list, 3 notes); every row with verbose. */
export function evidenceTable(result: CheckResult, o: EvidenceTableStyle): string[] {
  const ev = result.evidence;
  if (!ev) return [];
  const cap = (k: number) => (o.verbose ? Infinity : k);
  const out: string[] = ['', ...o.say(`Evidence  ${evidenceHeadline(ev)}`).map((l, i) => (i === 0 ? o.bold(l.slice(0, 8)) + l.slice(8) : l))];
  out.push(...o.say(evidenceInputsLine(ev), '  ', '    ').map(o.dim));
  if (ev.logsources.length) {
    const head = ['Log source', 'Rules', 'Observed', 'No fields', 'Partly', 'Silent', 'Despite', 'Not seen'];
    const nums = [7, 10, 11, 8, 8, 9, 10];
    const name = Math.max(16, Math.min(44, o.width - nums.reduce((a, b) => a + b, 0) - head.length - 1));
    const tb = new (Table())({
      head,
      style: o.style,
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      colWidths: [name, ...nums],
      wordWrap: true,
    });
    for (const l of ev.logsources.slice(0, cap(12))) tb.push([t(shortLogsource(l.logsource)), String(l.rules), ...STATES.map((s) => String(l[s]))]);
    out.push(tb.toString());
    if (ev.hosts.length > 1) out.push(o.dim('  (Rules: rules reading the log source; the states are counted per rule × host)'));
    const rest = ev.logsources.length - Math.min(ev.logsources.length, cap(12));
    if (rest > 0) out.push(o.dim(`  … ${rest} more log sources (--verbose)`));
  }
  const absent = absentChannels(ev);
  if (absent.length) {
    const list = absent
      .slice(0, cap(5))
      .map((c) => `${c.channel} (${n(c.rulesNotObserved)} unobserved rule(s))`)
      .join(' · ');
    out.push(...o.say(`no event arrives from: ${list}${absent.length > cap(5) ? ` · … ${absent.length - 5} more` : ''}`, '  ', '    '));
  }
  const notes = fieldNotes(ev);
  for (const l of notes.fields.slice(0, cap(3))) out.push(...o.say(l, '  ', '    '));
  if (notes.fields.length > cap(3)) out.push(o.dim(`  … ${notes.fields.length - 3} more hosts with rules observed without fields (--verbose)`));
  for (const [state, label] of [
    ['observed-without-fields', 'observed without fields the rule reads'],
    ['silent', 'silent (configured on, not seen)'],
    ['observed-despite-config', 'seen despite the configuration'],
  ] as const) {
    const list = rulesIn(result, state);
    if (!list.length) continue;
    out.push(...o.say(`${label}: ${list.length} rule(s)`, '  '));
    for (const r of list.slice(0, cap(3))) out.push(...o.say(`${r.title} — ${r.evidence?.why ?? `${r.evidenceStates?.[state]} host(s)`}`, '    ', '      '));
    if (list.length > cap(3)) out.push(o.dim(`    … ${list.length - 3} more (--verbose, --format json)`));
  }
  if (notes.conflicts.length) out.push(...o.say(`settings the events contradict: ${notes.conflicts.length}`, '  '));
  for (const l of notes.conflicts.slice(0, cap(3))) out.push(...o.say(l, '    ', '      '));
  if (notes.conflicts.length > cap(3)) out.push(o.dim(`    … ${notes.conflicts.length - 3} more (--verbose, --format json)`));
  const windows = ev.hosts.filter((h) => h.window);
  for (const h of windows.slice(0, cap(3))) out.push(...o.say(`${ev.hosts.length > 1 ? `${h.name}: ` : ''}${h.window}`, '  ', '    ').map(o.dim));
  if (windows.length > cap(3)) out.push(o.dim(`  … the window notes of ${windows.length - 3} more hosts (--verbose)`));
  for (const note of ev.notes.slice(0, cap(3))) out.push(...o.say(note, '  ', '    ').map(o.dim));
  if (ev.notes.length > cap(3)) out.push(o.dim(`  … ${ev.notes.length - 3} more notes on the observations (--verbose)`));
  return out;
}

/** The Markdown section: headline and inputs, then the tables folded into <details>. */
export function evidenceMarkdown(result: CheckResult): string[] {
  const ev = result.evidence;
  if (!ev) return [];
  const out = ['', '## Evidence', '', `**${cell(evidenceHeadline(ev))}**`, '', cell(evidenceInputsLine(ev))];
  const fold = (summary: string, body: string[]) => out.push('', '<details>', `<summary>${cell(summary)}</summary>`, '', ...body, '', '</details>');
  if (ev.logsources.length) {
    fold(`${ev.logsources.length} log source(s): observed vs not`, [
      '| Log source | Rules | Observed | Without fields | Partly | Silent | Despite config | Not observed |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...ev.logsources.map((l) => `| ${cell(tableText(shortLogsource(l.logsource)))} | ${l.rules} | ${STATES.map((s) => l[s]).join(' | ')} |`),
    ]);
  }
  const channels = ev.channels.filter((c) => c.rules > 0 || c.events > 0);
  if (channels.length) {
    fold(`${channels.length} channel(s): rules reading each, events seen`, [
      '| Channel | Rules | Not observed | Events | Event IDs | Hosts |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...channels.map((c) => `| ${cell(tableText(c.channel))} | ${c.rules} | ${c.rulesNotObserved} | ${n(c.events)} | ${c.eventIds} | ${c.hosts} |`),
    ]);
  }
  const fn = fieldNotes(ev);
  if (fn.fields.length) out.push('', ...fn.fields.map((x) => `- ${cell(x)}`));
  for (const [state, label] of [
    ['observed-without-fields', 'observed without fields the rule reads'],
    ['silent', 'silent: configured on, not seen'],
    ['observed-despite-config', 'seen despite the configuration'],
  ] as const) {
    const list = rulesIn(result, state);
    if (list.length)
      fold(
        `${list.length} rule(s) ${label}`,
        list.map((r) => `- **${cell(r.title)}** — ${cell(r.evidence?.why ?? `${r.evidenceStates?.[state]} host(s)`)}`),
      );
  }
  if (fn.conflicts.length)
    fold(
      `${fn.conflicts.length} setting(s) the events contradict`,
      fn.conflicts.map((x) => `- ${cell(x)}`),
    );
  const notes = [...ev.hosts.flatMap((h) => (h.window ? [`${ev.hosts.length > 1 ? `${h.name}: ` : ''}${h.window}`] : [])), ...ev.notes];
  if (notes.length) out.push('', ...notes.slice(0, 20).map((x) => `- ${cell(x)}`));
  return out;
}

/** The HTML section: headline bar per state, per log source bars, absent channels, silent rules. */
export function evidenceHtml(result: CheckResult): string {
  const ev = result.evidence;
  if (!ev) return '';
  const bar = (c: Record<EvidenceState, number>, total: number) =>
    `<div class="bar">${STATES.map((s) => (c[s] && total ? `<span class="seg" title="${attr(`${s}: ${c[s]}`)}" style="width:${((100 * c[s]) / total).toFixed(2)}%;background:${COLORS[s]}"></span>` : '')).join('')}</div>`;
  const legend = `<p class="legend">${STATES.map((s) => `<span><i style="background:${COLORS[s]}"></i>${esc(s)}</span>`).join('')}</p>`;
  const rows = ev.logsources.map((l) => {
    const total = STATES.reduce((a, s) => a + l[s], 0);
    return `<tr><td title="${attr(l.logsource)}">${esc(shortLogsource(l.logsource))}</td><td class="n">${l.rules}</td><td>${bar(l, total)}</td>${STATES.map((s) => `<td class="n">${l[s]}</td>`).join('')}</tr>`;
  });
  const absent = absentChannels(ev).map((c) => `<li>${esc(c.channel)}: read by ${c.rulesNotObserved} rule(s) not observed</li>`);
  const fn = fieldNotes(ev);
  const fieldsHtml = `${
    fn.fields.length
      ? `<ul>${fn.fields
          .slice(0, 100)
          .map((x) => `<li>${esc(x)}</li>`)
          .join('')}</ul>`
      : ''
  }${
    fn.conflicts.length
      ? `<h3>Settings the events contradict (${fn.conflicts.length})</h3><ul>${fn.conflicts
          .slice(0, 100)
          .map((x) => `<li>${esc(x)}</li>`)
          .join('')}</ul>`
      : ''
  }`;
  const TITLES = {
    'observed-without-fields': 'Observed without fields the rule reads',
    silent: 'Silent: configured on, not seen',
    'observed-despite-config': 'Seen despite the configuration',
  } as const;
  const lists = (['observed-without-fields', 'silent', 'observed-despite-config'] as const).map((state) => {
    const list = rulesIn(result, state);
    if (!list.length) return '';
    const items = list.slice(0, 100).map((r) => `<li><b>${esc(r.title)}</b> — ${esc(r.evidence?.why ?? `${r.evidenceStates?.[state]} host(s)`)}</li>`);
    return `<h3>${esc(TITLES[state])} (${list.length})</h3><ul>${items.join('')}</ul>`;
  });
  const notes = [...ev.hosts.flatMap((h) => (h.window ? [`${ev.hosts.length > 1 ? `${h.name}: ` : ''}${h.window}`] : [])), ...ev.notes]
    .slice(0, 30)
    .map((x) => `<li>${esc(x)}</li>`);
  return `<section id="evidence"><h2>Evidence: what actually arrives</h2><p class="big">${esc(evidenceHeadline(ev))}</p><p class="sub">${esc(evidenceInputsLine(ev))}</p>${bar(ev.counts, ev.judged)}${legend}<table><colgroup><col style="width:20%"><col style="width:6%"><col><col style="width:8%"><col style="width:7%"><col style="width:7%"><col style="width:7%"><col style="width:8%"><col style="width:9%"></colgroup><thead><tr><th>Log source</th><th>Rules</th><th>Evidence</th><th class="n">Observed</th><th class="n">No fields</th><th class="n">Partly</th><th class="n">Silent</th><th class="n">Despite</th><th class="n">Not seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>${absent.length ? `<h3>No event arrives from</h3><ul>${absent.join('')}</ul>` : ''}${fieldsHtml}${lists.join('')}${notes.length ? `<ul class="sub">${notes.join('')}</ul>` : ''}</section>`;
}
