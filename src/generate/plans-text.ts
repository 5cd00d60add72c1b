/**
 * The projection of fix's two plans in words: one line for the console and README.txt, a section for Markdown
 * and HTML. It renders result.readiness.plans as the engine made it; nothing is computed here.
 */
import { htmlText as esc, markdownCell as cell } from '../escape.js';
import type { PlanFigures, PlanProjection } from '../result/result.js';

const pct = (f: { readiness: number | null }) => (f.readiness === null ? '—' : `${f.readiness} %`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "now 8.5 % · built-in plan 51 % (18 settings, volume ≤ medium) · with Sysmon 88 % (+ 9 Sysmon elements)" */
export function planLine(p: PlanProjection): string {
  const hi = p.builtin.highBudget;
  const more = hi ? `; ${pct(hi)} with ${plural(hi.settings, 'setting')} under --max-volume high` : '';
  return `now ${pct(p.now)} · built-in plan ${pct(p.builtin)} (${plural(p.builtin.settings, 'setting')}, volume ≤ ${p.maxVolume}${more}) · with Sysmon ${pct(p.sysmon)} (+ ${plural(p.sysmon.elements, 'Sysmon element')})`;
}

/** Ready rules (rule × host on a fleet) in each state. */
export function readyLine(p: PlanProjection, hosts: number): string {
  const unit = hosts > 1 ? 'rule × host pairs' : 'rules';
  const f = (x: PlanFigures) => `${x.ready} of ${x.applicable}`;
  return `ready ${unit}: now ${f(p.now)} · built-in plan ${f(p.builtin)} · with Sysmon ${f(p.sysmon)} (Sysmon adds ${p.sysmon.added})`;
}

/** "sysmon-merged.xml: 2 elements merged into …/sysmon-config.xml (DC01): 14 more rules ready than the built-in plan alone" */
export function sysmonFileLines(p: PlanProjection, hosts: number): string[] {
  const unit = hosts > 1 ? 'rule × host pairs' : 'rules';
  return p.sysmon.files
    .map((f) => {
      const what = f.base
        ? `${plural(f.added.length, 'element')} merged into the deployed ${f.base}`
        : `a new config with ${plural(f.added.length, 'element')}`;
      const who = f.hosts.length
        ? ` (${f.hosts.slice(0, 3).join(', ')}${f.hosts.length > 3 ? ` +${f.hosts.length - 3}` : ''})`
        : ' (no host here runs without a deployed config)';
      return `${f.name}: ${what}${who}`;
    })
    .concat(`with Sysmon: ${p.sysmon.added} more ${p.sysmon.added === 1 ? unit.replace(/s$/, '') : unit} ready than with the built-in plan alone`);
}

export function hostPlanLine(h: PlanProjection['hosts'][number]): string {
  const v = (x: number | null) => (x === null ? '—' : `${x} %`);
  return `${h.name}: now ${v(h.now)} · built-in ${v(h.builtin)} · with Sysmon ${v(h.sysmon)}`;
}

export function planMarkdown(p: PlanProjection | undefined, hosts: number): string[] {
  if (!p) return [];
  const out = ['', '## Remediation plans (projected)', '', `**${cell(planLine(p))}**`, '', `- ${cell(readyLine(p, hosts))}`];
  for (const l of sysmonFileLines(p, hosts)) out.push(`- ${cell(l)}`);
  for (const n of p.notes) out.push(`- note: ${cell(n)}`);
  if (p.hosts.length > 1) {
    out.push('', '| Host | Now | Built-in plan | With Sysmon |', '| --- | ---: | ---: | ---: |');
    const v = (x: number | null) => (x === null ? '—' : `${x} %`);
    for (const h of p.hosts) out.push(`| ${cell(h.name)} | ${v(h.now)} | ${v(h.builtin)} | ${v(h.sysmon)} |`);
  }
  return out;
}

export function planHtml(p: PlanProjection | undefined, hosts: number): string {
  if (!p) return '';
  const items = [readyLine(p, hosts), ...sysmonFileLines(p, hosts), ...p.notes.map((n) => `note: ${n}`)].map((l) => `<li>${esc(l)}</li>`).join('');
  const v = (x: number | null) => (x === null ? '—' : `${x} %`);
  const table =
    p.hosts.length > 1
      ? `<table><thead><tr><th>Host</th><th>Now</th><th>Built-in plan</th><th>With Sysmon</th></tr></thead><tbody>${p.hosts.map((h) => `<tr><td>${esc(h.name)}</td><td class="n">${v(h.now)}</td><td class="n">${v(h.builtin)}</td><td class="n">${v(h.sysmon)}</td></tr>`).join('')}</tbody></table>`
      : '';
  return `<section><h2>Remediation plans (projected)</h2><p><strong>${esc(planLine(p))}</strong></p><ul>${items}</ul>${table}</section>`;
}
