/**
 * One self-contained HTML page for the people who did not run the tool (a manager, the Windows admins):
 * who and what was checked, the headline, readiness per Windows log source, the top fixes with their
 * commands, the hosts' warnings, Sysmon and forwarding, and a rule table to filter and search. Inline CSS and
 * a few lines of inline script; nothing is fetched. Every piece of data goes through the XML escaping.
 */
import { htmlAttr as attr, htmlText as esc } from '../escape.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets.js';
import { evidenceHtml } from './evidence.js';
import { planHtml } from '../generate/plans-text.js';
import { budgetLine, rankingNote, volumeCell } from './volume-text.js';
import { withheldLine } from './hazard-text.js';
import type { CheckResult, HostRow, Readiness, RuleRow } from '../result/result.js';
import { howLines, noHostVerdict, outOfScopeLine, rankList, shortLogsource, summaryLine, verdictLine } from './text.js';
import { fixSettings } from './fix-settings.js';

export interface HtmlOptions {
  /** When the report was made (the CLI passes today's date; left out, the page says nothing). */
  date?: string;
  /** The rule paths given on the command line. */
  inputs?: string[];
}

const VERDICTS = ['ready', 'partial', 'blocked', 'unknown', 'not-applicable', 'out-of-scope'] as const;

export function renderHtml(result: CheckResult, opts: HtmlOptions = {}): string {
  const rd = result.readiness;
  const who = rd ? (rd.hosts.length === 1 ? (rd.hosts[0] as HostRow).name : `${rd.hosts.length} hosts`) : 'rule set requirements';
  const title = `logsource-check: ${who}${opts.date ? ` (${opts.date})` : ''}`;
  const names = new Map(result.requirements.map((q) => [q.id, q.name]));
  const parts: string[] = [];

  parts.push(`<header><h1>${rd ? `Logging readiness: ${esc(who)}` : 'What the rule set needs from Windows logging'}</h1>`, meta(result, opts), '</header>');
  parts.push(headline(result));
  parts.push(rd ? logsourceSection(rd) : requirementSection(result));
  if (rd?.plans) parts.push(planHtml(rd.plans, rd.hosts.length));
  if (rd?.recommendations.length) parts.push(fixSection(rd));
  if (rd) parts.push(hostSection(rd));
  if (result.evidence) parts.push(evidenceHtml(result));
  if (rd?.sysmon) parts.push(sysmonSection(rd));
  if (rd?.channels) parts.push(forwardingSection(rd));
  parts.push(ruleSection(result, names));
  if (result.errors.length)
    parts.push(
      `<section><h2>Errors (${result.errors.length})</h2><ul>${result.errors.map((e) => `<li><code>${esc(e.path)}</code>: ${esc(e.message)}</li>`).join('')}</ul></section>`,
    );

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${HTML_STYLE}</style></head><body>
${parts.join('\n')}
<script>${HTML_SCRIPT}</script>
</body></html>
`;
}

function meta(result: CheckResult, opts: HtmlOptions): string {
  const rd = result.readiness;
  const items: [string, string][] = [];
  if (opts.date) items.push(['Made', opts.date]);
  items.push(['Tool', `${result.tool.name} ${result.tool.version}${result.tool.catalog ? `, catalog ${result.tool.catalog}` : ''}`]);
  if (opts.inputs?.length) items.push(['Rules', opts.inputs.join(', ')]);
  if (rd) {
    const files = [...new Set(rd.hosts.flatMap((h) => h.seen.inputs))];
    items.push(['Host inputs', files.length > 12 ? `${files.slice(0, 12).join(', ')} … (${files.length} in all)` : files.join(', ') || 'none']);
  }
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** The headline in words and as one bar of the rules by verdict. */
function headline(result: CheckResult): string {
  const rd = result.readiness;
  const other = outOfScopeLine(result);
  if (!rd) return `<p class="big" id="headline">${esc(summaryLine(result))}</p>${other ? `<p class="sub">${esc(other)}</p>` : ''}`;
  const v = rd.verdicts;
  const total = v.ready + v.partial + v.blocked + v.unknown + v.notApplicable;
  const seg = (k: string, n: number) =>
    n ? `<span class="seg ${k}" style="width:${((100 * n) / Math.max(1, total)).toFixed(2)}%" title="${attr(`${k}: ${n}`)}"></span>` : '';
  const bar = `<div class="bar big-bar">${seg('ready', v.ready)}${seg('partial', v.partial)}${seg('blocked', v.blocked)}${seg('unknown', v.unknown)}${seg('not-applicable', v.notApplicable)}</div>`;
  const pct = v.readiness === null ? '—' : `${v.readiness}%`;
  return `<section class="card"><p class="pct" id="headline">${esc(pct)} <span>of applicable Windows rules ready</span></p><p>${esc(verdictLine(v, rd.hosts.length))}</p>${bar}${legend()}${other ? `<p class="sub">${esc(other)}</p>` : ''}</section>`;
}

function legend(): string {
  return `<p class="legend">${VERDICTS.map((k) => `<span><i class="seg ${k}"></i>${k}</span>`).join('')}</p>`;
}

function logsourceSection(rd: Readiness): string {
  const rows = rd.logsources.map((l, i) => {
    const total = Math.max(1, l.ready + l.partial + l.blocked + l.unknown + l.notApplicable);
    const seg = (k: string, n: number) => (n ? `<span class="seg ${k}" style="width:${((100 * n) / total).toFixed(2)}%"></span>` : '');
    return `<tr${i >= 15 ? ' class="more"' : ''}><td title="${attr(l.logsource)}">${esc(shortLogsource(l.logsource))}</td><td class="n">${l.rules}</td><td class="n">${l.readiness === null ? '—' : `${l.readiness}%`}</td><td><div class="bar">${seg('ready', l.ready)}${seg('partial', l.partial)}${seg('blocked', l.blocked)}${seg('unknown', l.unknown)}${seg('not-applicable', l.notApplicable)}</div></td><td class="n">${l.ready}</td><td class="n">${l.partial}</td><td class="n">${l.blocked}</td><td class="n">${l.unknown}</td><td class="n">${l.notApplicable}</td></tr>`;
  });
  const more =
    rd.logsources.length > 15 ? `<button type="button" class="toggle" data-target="logsources">show all ${rd.logsources.length} log sources</button>` : '';
  return `<section><h2>Readiness per Windows log source</h2><table id="logsources" class="collapsed"><colgroup><col style="width:22%"><col style="width:6%"><col style="width:8%"><col><col style="width:6%"><col style="width:7%"><col style="width:8%"><col style="width:8%"><col style="width:5%"></colgroup><thead><tr><th>Log source</th><th>Rules</th><th>Ready %</th><th>Verdicts</th><th class="n">Ready</th><th class="n">Partial</th><th class="n">Blocked</th><th class="n">Unknown</th><th class="n">N/A</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}</section>`;
}

/** Without a host: what the rule set needs. */
function requirementSection(result: CheckResult): string {
  const rows = result.requirements.map(
    (q) =>
      `<tr><td>${esc(q.name)}</td><td class="n">${q.rules}</td><td class="n">${q.essentialFor}</td><td>${codeOrText(q.command ?? q.xml, q.enable)}</td></tr>`,
  );
  return `<section><h2>What the rules need</h2><table><colgroup><col style="width:34%"><col style="width:7%"><col style="width:8%"><col></colgroup><thead><tr><th>Requirement</th><th>Rules</th><th>Only way</th><th>How to enable</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function fixSection(rd: Readiness): string {
  const shown = rd.recommendations.slice(0, 20);
  const rows = shown.map(
    (f) =>
      `<tr><td class="n">${f.rank}</td><td>${fixSettings(f.requires)
        .map((s) => `${esc(s.name)} <span class="st">${esc(s.state)}</span>`)
        .join('<br>')}<br><span class="st">${esc(volumeCell(f))}</span></td><td class="n">${f.unlocks}</td></tr>`,
  );
  const retention = (rd.retention ?? []).slice(0, 20).map((r) => `${r.text}${r.warning ? ` — WARNING: ${r.warning}` : ''}`);
  if ((rd.retention?.length ?? 0) > 20) retention.push(`… ${(rd.retention?.length ?? 0) - 20} more in the JSON report`);
  const volumeLines = [rankingNote(rd), budgetLine(rd), withheldLine(rd), ...retention]
    .filter((l): l is string => !!l)
    .map((l) => `<p class="sub">${esc(l)}</p>`)
    .join('');
  const how = sysmonHow(shown, rd.sysmon?.config);
  const unlocks = rd.hosts.length > 1 ? 'Unlocks (rules × hosts)' : 'Unlocks (rules)';
  return `<section><h2>Top fixes</h2><p class="sub">Each ranked given the ones above it; ${rd.recommendations.length} in all (the JSON report has every one). <code>logsource-check fix</code> writes them as files.</p><table id="fixes"><colgroup><col style="width:5%"><col><col style="width:14%"></colgroup><thead><tr><th>#</th><th>Change (state now)</th><th>${unlocks}</th></tr></thead><tbody>${rows.join('')}</tbody></table>${volumeLines}<h3>How</h3><ul class="how">${how.join('')}</ul></section>`;
}

/**
 * How, in ranking order. Sysmon is said as the XML to add (no paragraph around it); changes to a deployed
 * config whose filters drop or cut events are one item with the command that merges what the rules need (the
 * Sysmon section names the filters), as the per-filter paragraphs run to hundreds of words.
 */
function sysmonHow(shown: Readiness['recommendations'], config: string | undefined): string[] {
  const label = (ranks: number[]) => `<b>${ranks.length > 1 ? 'Fixes' : 'Fix'} ${esc(rankList(ranks))}:</b>`;
  const pre = (code: string[]) => `<pre><code>${esc(code.join('\n'))}</code></pre>`;
  const deployed = (q: Readiness['recommendations'][number]['requires'][number]) => q.group !== undefined && !q.xml;
  const ranks = shown.filter((f) => f.requires.some(deployed)).map((f) => f.rank);
  const elements = [...new Set(shown.flatMap((f) => f.requires.filter(deployed).map((q) => q.group as string)))];
  const items: { first: number; html: string }[] = [];
  if (ranks.length) {
    const merge = `logsource-check sysmon-config RULES --base ${config ?? 'CONFIG'} -o sysmon-merged.xml`;
    items.push({
      first: ranks[0] as number,
      html: `<li>${label(ranks)} ${esc(`the deployed Sysmon config drops, cuts or leaves out ${elements.join(', ')} (the filters: Sysmon section)`)}${pre([merge])}</li>`,
    });
  }
  const rest = shown.map((f) => ({ ...f, requires: f.requires.filter((q) => !deployed(q)) }));
  for (const h of howLines(rest, { oneBlock: true })) {
    if (!h.ranks.length) continue;
    const xmlOnly = h.code.length > 0 && h.code.every((c) => c.startsWith('<'));
    items.push({
      first: h.ranks[0] as number,
      html: `<li>${label(h.ranks)} ${xmlOnly ? 'Sysmon config' : esc(h.text)}${h.code.length ? pre(h.code) : ''}</li>`,
    });
  }
  return items.sort((a, b) => a.first - b.first).map((i) => i.html);
}

function hostSection(rd: Readiness): string {
  const worst = [...rd.hosts].sort((a, b) => (a.summary.readiness ?? 101) - (b.summary.readiness ?? 101) || a.name.localeCompare(b.name));
  const rows = worst
    .slice(0, 100)
    .map(
      (h) =>
        `<tr><td>${esc(h.name)}</td><td>${esc(h.role ?? 'not known')}</td><td class="n">${h.summary.readiness === null ? '—' : `${h.summary.readiness}%`}</td><td class="n">${h.summary.ready}</td><td class="n">${h.summary.unknown}</td><td><small>${esc(h.seen.inputs.join(', '))}</small></td></tr>`,
    );
  const notes = worst.slice(0, 20).flatMap((h) => {
    const lines = [
      ...h.seen.unknown.map((u) => `unknown: ${u.requirements} ${u.kind} requirement(s); ${u.settle}`),
      ...h.warnings.map((w) => `warning: ${w}`),
      ...h.conflicts.map((c) => `conflict: ${c}`),
    ];
    return lines.length ? [`<h3>${esc(h.name)}</h3><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`] : [];
  });
  const more = rd.hosts.length > 100 ? `<p class="sub">${rd.hosts.length - 100} more hosts in the JSON and CSV reports.</p>` : '';
  return `<section><h2>Hosts</h2><table id="hosts"><colgroup><col style="width:18%"><col style="width:20%"><col style="width:9%"><col style="width:7%"><col style="width:8%"><col></colgroup><thead><tr><th>Host (least ready first)</th><th>Role</th><th>Ready %</th><th>Ready</th><th>Unknown</th><th>Inputs</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}${notes.length ? `<h2>What the inputs do not show, and warnings</h2>${notes.join('')}` : ''}</section>`;
}

function sysmonSection(rd: Readiness): string {
  const sy = rd.sysmon as NonNullable<Readiness['sysmon']>;
  const rows = sy.types.map(
    (t) =>
      `<tr><td class="n">${t.eventId}</td><td>${esc(t.element)}</td><td>${esc(t.state)}</td><td class="n">${t.rules}</td><td class="n">${t.logged}</td><td class="n">${t.partial}</td><td class="n">${t.dropped}</td></tr>`,
  );
  const off = sy.offenders.slice(0, 15).map((o) => `<li><b>${o.rules}</b> rule(s): <code>${esc(o.filter)}</code></li>`);
  return `<section><h2>Sysmon</h2><p class="sub">${esc(`${sy.config} (schema ${sy.schemaVersion}): per event type, what the filter simulation says for the rules that need it`)}</p><table><thead><tr><th>EID</th><th>Element</th><th>State</th><th>Rules</th><th>Logged</th><th>Partial</th><th>Dropped</th></tr></thead><tbody>${rows.join('')}</tbody></table>${off.length ? `<h3>Config filters that cost the most rules</h3><ul>${off.join('')}</ul>` : ''}</section>`;
}

function forwardingSection(rd: Readiness): string {
  const rows = (rd.channels ?? []).map(
    (c) =>
      `<tr><td>${esc(c.channel)}</td><td>${esc(c.needed === 'any' ? 'any' : c.needed.join(', '))}</td><td>${esc(c.forwarded)}</td><td>${esc(c.missing.join(', '))}</td><td class="n">${c.rulesAffected}</td></tr>`,
  );
  return `<section><h2>Forwarding</h2><p class="sub">What the collector configurations ship, per channel the rules read.</p><table><colgroup><col style="width:28%"><col style="width:22%"><col style="width:22%"><col><col style="width:9%"></colgroup><thead><tr><th>Channel</th><th>Needed event IDs</th><th>Forwarded</th><th>Missing</th><th>Rules affected</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function ruleSection(result: CheckResult, names: Map<string, string>): string {
  const prefix = commonDir(result.rules.map((r) => r.path));
  const sources = [...new Set(result.rules.filter((r) => r.windows).map((r) => r.logsourceKey))].sort();
  const levels = [...new Set(result.rules.map((r) => r.level ?? ''))].filter(Boolean).sort();
  const opt = (v: string, label = v) => `<option value="${attr(v)}">${esc(label)}</option>`;
  const verdictChoices = result.readiness ? VERDICTS : (['resolved', 'unknown', 'out-of-scope'] as const);
  const controls = `<div class="filters"><label>Verdict <select id="f-verdict">${opt('', 'any')}${verdictChoices.map((v) => opt(v)).join('')}</select></label><label>Log source <select id="f-logsource">${opt('', 'any')}${sources.map((s) => opt(s, shortLogsource(s))).join('')}</select></label><label>Level <select id="f-level">${opt('', 'any')}${levels.map((l) => opt(l)).join('')}</select></label><label class="grow">Search <input id="f-search" type="search" placeholder="title, file, requirement"></label><label><input id="f-other" type="checkbox"> other products</label></div>`;
  // Least ready first, then the highest level: what a reader acts on is at the top (columns sort on click).
  const rows = [...result.rules]
    .sort((a, b) => verdictKey(a) - verdictKey(b) || levelKey(a) - levelKey(b) || a.title.localeCompare(b.title))
    .map((r) => ruleRow(r, names, prefix));
  return `<section><h2>Rules</h2>${controls}<p class="sub"><span id="f-count">${result.rules.filter((r) => r.windows).length}</span> of ${result.rules.length} rules shown, least ready first, then highest level${prefix ? `; paths relative to <code>${esc(prefix)}</code>` : ''}. Click a column to sort.</p><table id="rules"><colgroup><col style="width:32%"><col style="width:8%"><col style="width:16%"><col style="width:10%"><col style="width:18%"><col></colgroup><thead><tr><th>Title</th><th>Level</th><th>Log source</th><th>Verdict</th><th>Missing / why</th><th>File</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function ruleRow(r: RuleRow, names: Map<string, string>, prefix: string): string {
  const verdicts = r.verdicts ? VERDICTS.filter((v) => (r.verdicts as Record<string, number>)[v]) : [r.verdict ?? noHostVerdict(r)];
  const shown = r.verdicts
    ? verdicts.map((v) => `<span class="v ${v}">${v} ${(r.verdicts as Record<string, number>)[v]}</span>`).join(' ')
    : `<span class="v ${verdicts[0]}">${verdicts[0]}</span>${r.degraded?.length ? ` <small title="${attr(`no ${r.degraded.join(', ')} in the only source logged`)}">degraded</small>` : ''}`;
  const missing = r.missing?.length ? r.missing.map((id) => names.get(id) ?? id).join('; ') : '';
  const detail = r.unknownReason ?? (missing || r.why || '');
  const file = r.path.startsWith(prefix) ? r.path.slice(prefix.length) : r.path;
  const data = `data-v="${attr(verdicts.join(' '))}" data-ls="${attr(r.logsourceKey)}" data-level="${attr(r.level ?? '')}" data-win="${r.windows ? 1 : 0}"`;
  return `<tr ${data}${r.windows ? '' : ' hidden'}><td>${esc(r.title)}</td><td data-k="${levelKey(r)}">${esc(r.level ?? '')}</td><td>${esc(shortLogsource(r.logsourceKey))}</td><td data-k="${verdictKey(r)}">${shown}</td><td><small>${esc(detail)}</small></td><td title="${attr(r.path)}"><small>${esc(file)}${r.line ? `:${r.line}` : ''}</small></td></tr>`;
}

/** Verdicts least ready first; a rule over a fleet goes by its least ready host. Other products last. */
const VERDICT_ORDER = ['blocked', 'partial', 'unknown', 'ready', 'not-applicable', 'resolved'];
function verdictKey(r: RuleRow): number {
  if (!r.windows) return VERDICT_ORDER.length + 1;
  const present = r.verdicts ? VERDICTS.filter((v) => (r.verdicts as Record<string, number>)[v]) : [r.verdict ?? (r.unknownReason ? 'unknown' : 'resolved')];
  const keys = present.map((v) => VERDICT_ORDER.indexOf(v)).filter((k) => k >= 0);
  return keys.length ? Math.min(...keys) : VERDICT_ORDER.length;
}

/** Levels highest first; no level last. */
const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];
function levelKey(r: RuleRow): number {
  const k = LEVEL_ORDER.indexOf(r.level ?? '');
  return k < 0 ? LEVEL_ORDER.length : k;
}

/** The directory every path shares ("…/rules/windows/"), cut off in the table so the file names fit. */
function commonDir(paths: string[]): string {
  if (!paths.length) return '';
  let prefix = paths[0] as string;
  for (const p of paths) while (prefix && !p.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = Math.max(prefix.lastIndexOf('/'), prefix.lastIndexOf('\\'));
  return cut >= 0 ? prefix.slice(0, cut + 1) : '';
}

function codeOrText(code: string | undefined, text: string): string {
  return code && code === text ? `<code>${esc(code)}</code>` : `${esc(text)}`;
}
