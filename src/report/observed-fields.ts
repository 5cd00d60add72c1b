/**
 * `observed-fields`: the raw field evidence of --observed inputs, per (computer, channel, event ID, provider):
 * records, first and last time, bytes, and each field's share of the records examined. Table text for a
 * terminal, or JSON; every name comes from the inputs and is escaped for its output.
 */
import { jsonSafe, terminal } from '../escape.js';
import type { ObservedCount } from '../observe/model.js';

const WIDTH = 100;

/** Share of records as a whole percentage that never claims "all" or "none" unless it is exactly so. */
export function share(n: number, of: number): string {
  if (of <= 0) return '-';
  if (n >= of) return '100%';
  if (n <= 0) return '0%';
  return `${Math.min(99, Math.max(1, Math.round((100 * n) / of)))}%`;
}

const cmp = (x = '', y = '') => (x < y ? -1 : x > y ? 1 : 0);
/** Counts in a stable order: computer, channel, event ID, provider (code-unit order, like the EVTX reader). */
export function sortCounts(counts: readonly ObservedCount[]): ObservedCount[] {
  return [...counts].sort((a, b) => cmp(a.computer, b.computer) || cmp(a.channel, b.channel) || a.eventId - b.eventId || cmp(a.provider, b.provider));
}

/** Items joined by ", " in lines of at most WIDTH characters, each after `lead` (continuations indented like it). */
function wrap(lead: string, items: string[]): string[] {
  const lines: string[] = [];
  let line = lead;
  for (const [i, item] of items.entries()) {
    const add = (i ? ', ' : '') + item;
    if (line.length > lead.length && line.length + add.length > WIDTH) {
      lines.push(`${line},`);
      line = ' '.repeat(lead.length) + item;
    } else line += add;
  }
  lines.push(line);
  return lines;
}

const iso = (t: string | undefined) => (t ? t.replace(/\.000Z$/, 'Z') : '?');

export function renderObservedFieldsTable(counts: readonly ObservedCount[]): string {
  const out: string[] = [];
  for (const c of sortCounts(counts)) {
    const head = `${c.computer ?? '(no computer)'} · ${c.channel} · ${c.eventId}${c.provider ? ` (${c.provider})` : ''}`;
    out.push(terminal(head));
    const bytes = c.bytes === undefined ? '' : `, ${c.bytes.toLocaleString('en-US')} bytes`;
    const time = c.first || c.last ? `, ${iso(c.first)} … ${iso(c.last)}` : '';
    const examined = c.fieldRecords === undefined ? '; fields: not in this input' : `; fields examined in ${c.fieldRecords.toLocaleString('en-US')}`;
    out.push(`  ${c.count.toLocaleString('en-US')} record${c.count === 1 ? '' : 's'}${time}${bytes}${examined}`);
    if (c.fieldRecords !== undefined && c.fields) {
      const total = c.fieldRecords;
      // fields grouped by share, most carried first: "100%  CommandLine, Image …"
      const byShare = new Map<string, string[]>();
      const entries = Object.entries(c.fields).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
      for (const [name, n] of entries) {
        const s = share(n, total);
        byShare.set(s, [...(byShare.get(s) ?? []), terminal(name)]);
      }
      for (const [s, names] of byShare) out.push(...wrap(`  ${s.padStart(4)}  `, names));
      if (!entries.length) out.push('  (no named EventData or UserData field)');
      for (const [field, tokens] of Object.entries(c.values ?? {})) {
        const list = Object.entries(tokens)
          .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
          .map(([t, n]) => `${terminal(t)} ${share(n, total)}`);
        out.push(...wrap(`  ${terminal(field)} values: `, list));
      }
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function renderObservedFieldsJson(load: {
  sources: string[];
  counts: readonly ObservedCount[];
  notes: string[];
  errors: { path: string; message: string }[];
}): string {
  const body = { schemaVersion: 1, sources: load.sources, counts: sortCounts(load.counts), notes: load.notes, errors: load.errors };
  return `${jsonSafe(JSON.stringify(body, null, 2))}\n`;
}
