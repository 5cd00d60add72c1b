/**
 * One self-contained HTML page (inline CSS, inline SVG, a few lines of inline script; nothing fetched):
 * summary, readiness per log source as a bar chart, ranked fixes and a sortable per-rule table.
 */
import type { CheckResult, RuleRow } from './result.js';
import { summaryLine, verdictLine } from './text.js';

const COLORS: Record<string, string> = { ready: '#3c9a4f', partial: '#e0a526', blocked: '#d2463a', unknown: '#9aa3ad', 'not-applicable': '#d9dde2', resolved: '#3c78b4' };

export function renderHtml(result: CheckResult): string {
  const rd = result.readiness;
  const parts: string[] = [];
  parts.push(`<h1>logsource-check report</h1><p class="sub">${esc(summaryLine(result))}</p>`);
  if (rd) parts.push(`<p class="big">${esc(verdictLine(rd.verdicts, rd.hosts.length))}</p>`);
  parts.push('<h2>Readiness per log source</h2>', chart(result));
  if (rd?.recommendations.length) {
    parts.push('<h2>Ranked fixes</h2><table><thead><tr><th>#</th><th>Change</th><th>Unlocks</th><th>How</th></tr></thead><tbody>');
    for (const f of rd.recommendations.slice(0, 50)) {
      parts.push(`<tr><td>${f.rank}</td><td>${f.requires.map((q) => `${esc(q.name)} <span class="st">${esc(String(q.state))}</span>`).join('<br>')}</td><td class="n">${f.unlocks}</td><td><code>${f.requires.map((q) => esc(q.enable)).join('</code><br><code>')}</code></td></tr>`);
    }
    parts.push('</tbody></table>');
  } else if (result.requirements.length) {
    parts.push('<h2>Requirements</h2><table><thead><tr><th>Requirement</th><th>Rules</th><th>How to enable</th></tr></thead><tbody>');
    for (const q of result.requirements) parts.push(`<tr><td>${esc(q.name)}<br><small>${esc(q.id)}</small></td><td class="n">${q.rules}</td><td><code>${esc(q.enable)}</code></td></tr>`);
    parts.push('</tbody></table>');
  }
  parts.push('<h2>Rules</h2><p class="sub">Click a column to sort.</p><table id="rules"><thead><tr><th>Title</th><th>Level</th><th>Log source</th><th>Verdict</th><th>Missing / why</th><th>File</th></tr></thead><tbody>');
  for (const r of result.rules) parts.push(ruleRow(r));
  parts.push('</tbody></table>');
  if (result.errors.length) parts.push(`<h2>Errors (${result.errors.length})</h2><ul>${result.errors.map((e) => `<li><code>${esc(e.path)}</code>: ${esc(e.message)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>logsource-check report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1d2733}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3e9;padding-bottom:4px}
.sub{color:#5b6773;margin:2px 0}.big{font-size:16px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e6eaee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f6f8;cursor:pointer;user-select:none}td.n{text-align:right}code{font-size:12px;word-break:break-all}
.v{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}.st{color:#5b6773;font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:#1d2733}
</style></head><body>
${parts.join('\n')}
<script>
// Sort the rules table by the clicked column (text, case-insensitive); a second click reverses.
document.querySelectorAll('#rules th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var dir = th.dataset.dir === 'asc' ? -1 : 1;
    th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    Array.from(body.rows).sort(function (a, b) {
      return dir * a.cells[col].textContent.toLowerCase().localeCompare(b.cells[col].textContent.toLowerCase());
    }).forEach(function (r) { body.appendChild(r); });
  });
});
</script>
</body></html>
`;
}

function ruleRow(r: RuleRow): string {
  const verdict = r.verdict ?? (r.unknownReason ? 'unknown' : 'resolved');
  const detail = r.unknownReason ?? (r.missing?.length ? r.missing.join(', ') : r.why ?? '');
  return `<tr><td>${esc(r.title)}</td><td>${esc(r.level ?? '')}</td><td>${esc(r.logsourceKey)}</td><td><span class="v" style="background:${COLORS[verdict] ?? '#888'}">${esc(verdict)}</span></td><td><small>${esc(detail)}</small></td><td><small>${esc(r.path)}${r.line ? `:${r.line}` : ''}</small></td></tr>`;
}

/** Stacked horizontal bars: per log source, rules by verdict (or resolved / unknown without a host). */
function chart(result: CheckResult): string {
  const keys = result.readiness ? ['ready', 'partial', 'blocked', 'unknown', 'not-applicable'] : ['resolved', 'unknown'];
  const rows = new Map<string, Record<string, number>>();
  for (const r of result.rules) {
    if (r.kind !== 'rule') continue;
    const v = r.verdict ?? (r.unknownReason ? 'unknown' : 'resolved');
    const row = rows.get(r.logsourceKey) ?? {};
    row[v] = (row[v] ?? 0) + 1;
    rows.set(r.logsourceKey, row);
  }
  const list = [...rows].map(([k, v]) => ({ k, v, total: Object.values(v).reduce((a, b) => a + b, 0) })).sort((a, b) => b.total - a.total).slice(0, 30);
  const max = Math.max(1, ...list.map((x) => x.total));
  const label = 300;
  const width = 560;
  const h = 18;
  const svg = [`<svg role="img" aria-label="rules per log source by verdict" width="${label + width + 60}" height="${list.length * (h + 4) + 30}">`];
  list.forEach((row, i) => {
    const y = i * (h + 4);
    svg.push(`<text x="${label - 6}" y="${y + 13}" text-anchor="end">${esc(row.k)}</text>`);
    let x = label;
    for (const k of keys) {
      const n = row.v[k] ?? 0;
      if (!n) continue;
      const w = (n / max) * width;
      svg.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" fill="${COLORS[k]}"><title>${esc(`${row.k}: ${n} ${k}`)}</title></rect>`);
      x += w;
    }
    svg.push(`<text x="${(x + 4).toFixed(1)}" y="${y + 13}">${row.total}</text>`);
  });
  const ly = list.length * (h + 4) + 14;
  keys.forEach((k, i) => svg.push(`<rect x="${label + i * 100}" y="${ly - 10}" width="12" height="12" fill="${COLORS[k]}"/><text x="${label + i * 100 + 16}" y="${ly}">${k}</text>`));
  svg.push('</svg>');
  return svg.join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
