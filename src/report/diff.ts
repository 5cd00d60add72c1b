/** Renders a RunDiff (src/report/run-diff.ts) as a terminal table, Markdown or JSON. */
import type { DiffRequirement, HostDiff, RuleChange, RuleRef, RunDiff, RunRef } from '../result/diff-model.js';
import { jsonSafe, markdownCell, terminalLine } from '../escape.js';

export type DiffFormat = 'table' | 'json' | 'markdown';

/** Changes listed per host before "… and N more" (the JSON always has them all). */
const SHOWN = 50;

export function renderDiff(d: RunDiff, format: DiffFormat, opts: { verbose?: boolean } = {}): string {
  if (format === 'json') return jsonSafe(JSON.stringify(d, null, 2)) + '\n';
  return format === 'markdown' ? markdown(d, opts.verbose) : table(d, opts.verbose);
}

const pct = (n: number | null): string => (n === null ? 'n/a' : `${n}%`);
const run = (r: RunRef): string =>
  `${r.label ? `${r.label} ` : ''}(${r.rules} rules, ${r.hosts} host${r.hosts === 1 ? '' : 's'}, logsource-check ${r.version}${r.catalog ? `, catalog ${r.catalog}` : ''})`;
const ruleName = (r: RuleRef): string => `${r.title}${r.id ? ` [${r.id}]` : ''}`;
const mark = (c: RuleChange): string => (c.lost ? 'LOST' : c.gained ? 'GAINED' : 'CHANGED');

function headline(d: RunDiff): string {
  const s = d.summary;
  return `${s.hostsCompared} host(s) and ${s.rulesCompared} rule(s) compared: ${s.lost} lost readiness${s.hostsWithLoss ? ` on ${s.hostsWithLoss} host(s)` : ''}, ${s.gained} gained, ${s.changed} verdict change(s) in all`;
}

function req(q: DiffRequirement): string {
  const state = q.state ? ` (${q.state}${q.reason ? `: ${q.reason}` : ''})` : '';
  return `${q.name}${state}`;
}

function causes(c: RuleChange): string[] {
  const out: string[] = [];
  if (c.newlyMissing.length) out.push(`missing now: ${c.newlyMissing.map(req).join('; ')}`);
  if (c.nowPresent.length) out.push(`present now: ${c.nowPresent.map(req).join('; ')}`);
  if (!out.length && c.why) out.push(`why: ${c.why}`);
  return out;
}

function inputs(h: HostDiff): string[] {
  const same = h.inputs.old.length === h.inputs.new.length && h.inputs.old.every((f, i) => f === h.inputs.new[i]);
  return same
    ? [`inputs: ${h.inputs.new.join(', ') || 'none listed'}`]
    : [`inputs before: ${h.inputs.old.join(', ') || 'none listed'}`, `inputs now: ${h.inputs.new.join(', ') || 'none listed'}`];
}

function table(d: RunDiff, verbose?: boolean): string {
  const L: string[] = [];
  L.push(`old: ${run(d.old)}`, `new: ${run(d.new)}`, headline(d));
  for (const h of d.hosts) {
    if (!h.changes.length && !h.settings.length && !verbose) continue;
    L.push('', `Host ${h.name}${h.oldName ? ` (was ${h.oldName})` : ''}: readiness ${pct(h.readiness.old)} → ${pct(h.readiness.new)}`);
    const shown = verbose ? h.changes : h.changes.slice(0, SHOWN);
    for (const c of shown) {
      L.push(`  ${mark(c).padEnd(7)} ${ruleName(c.rule)}: ${c.from} → ${c.to}`, `          ${c.rule.path}`);
      for (const line of causes(c)) L.push(`          ${line}`);
    }
    if (shown.length < h.changes.length) L.push(`  … and ${h.changes.length - shown.length} more (--verbose or --format json lists them)`);
    for (const s of h.settings) L.push(`  setting ${s.name}: ${s.from} → ${s.to}${s.reason ? ` (${s.reason})` : ''}`);
    for (const line of inputs(h)) L.push(`  ${line}`);
  }
  const list = (title: string, items: string[]): void => {
    if (!items.length) return;
    L.push('', `${title} (${items.length}):`);
    const shown = verbose ? items : items.slice(0, SHOWN);
    for (const i of shown) L.push(`  ${i}`);
    if (shown.length < items.length) L.push(`  … and ${items.length - shown.length} more`);
  };
  list('Hosts added', d.hostsAdded);
  list('Hosts removed', d.hostsRemoved);
  list(
    'Rules added',
    d.rulesAdded.map((r) => `${ruleName(r)}  ${r.path}`),
  );
  list(
    'Rules removed',
    d.rulesRemoved.map((r) => `${ruleName(r)}  ${r.path}`),
  );
  for (const n of d.notes) L.push('', `note: ${n}`);
  return L.map(terminalLine).join('\n') + '\n';
}

function markdown(d: RunDiff, verbose?: boolean): string {
  const m = markdownCell;
  const L: string[] = ['# logsource-check: changes between two runs', '', `- Old: ${m(run(d.old))}`, `- New: ${m(run(d.new))}`, '', m(headline(d)) + '.'];
  for (const h of d.hosts) {
    if (!h.changes.length && !h.settings.length && !verbose) continue;
    L.push(
      '',
      `## ${m(h.name)}${h.oldName ? ` (was ${m(h.oldName)})` : ''}`,
      '',
      `Readiness ${pct(h.readiness.old)} → ${pct(h.readiness.new)}. ${inputs(h).map(m).join('. ')}.`,
    );
    if (h.changes.length) {
      L.push('', '| Change | Rule | Verdict | Cause |', '| --- | --- | --- | --- |');
      const shown = verbose ? h.changes : h.changes.slice(0, SHOWN);
      for (const c of shown)
        L.push(`| ${mark(c)} | ${m(ruleName(c.rule))}<br>${m(c.rule.path)} | ${c.from} → ${c.to} | ${causes(c).map(m).join('<br>') || '—'} |`);
      if (shown.length < h.changes.length) L.push('', `… and ${h.changes.length - shown.length} more (the JSON lists them all).`);
    }
    if (h.settings.length) {
      L.push('', '| Setting | Before | Now | Input |', '| --- | --- | --- | --- |');
      for (const s of h.settings) L.push(`| ${m(s.name)} | ${m(s.from)} | ${m(s.to)} | ${m(s.reason ?? '')} |`);
    }
  }
  const list = (title: string, items: string[]): void => {
    if (!items.length) return;
    L.push('', `## ${title} (${items.length})`, '');
    for (const i of verbose ? items : items.slice(0, SHOWN)) L.push(`- ${m(i)}`);
    if (!verbose && items.length > SHOWN) L.push(`- … and ${items.length - SHOWN} more`);
  };
  list('Hosts added', d.hostsAdded);
  list('Hosts removed', d.hostsRemoved);
  list(
    'Rules added',
    d.rulesAdded.map((r) => `${ruleName(r)} (${r.path})`),
  );
  list(
    'Rules removed',
    d.rulesRemoved.map((r) => `${ruleName(r)} (${r.path})`),
  );
  if (d.notes.length) L.push('', '## Notes', '', ...d.notes.map((n) => `- ${m(n)}`));
  return L.join('\n') + '\n';
}

/** The one stderr line of a failed --fail-on-regression gate. */
export function regressionLine(d: RunDiff): string {
  const hosts = d.hosts.filter((h) => h.changes.some((c) => c.lost));
  const first = hosts
    .slice(0, 5)
    .map((h) => `${h.name} (${h.changes.filter((c) => c.lost).length})`)
    .join(', ');
  return terminalLine(`${d.summary.lost} rule verdict(s) lost readiness on ${hosts.length} host(s): ${first}${hosts.length > 5 ? ', …' : ''}`);
}
