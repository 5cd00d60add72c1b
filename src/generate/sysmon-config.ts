/**
 * Sysmon configuration for a rule set. `minimal` logs every event type the rules need, unfiltered (hazardous
 * ones excepted: sysmon-hazards.ts);
 * `targeted` logs only events the rules' positive selections can match (one include condition per match
 * term, on the term's most selective field). Merging into a base config adds RuleGroups before its
 * </EventFiltering> and never removes or reorders what is there.
 */
import { xmlAttr, xmlText } from '../escape.js';
import type { Catalog } from '../catalog/catalog.js';
import { matchTerms } from '../assess/sysmon-sim.js';
import { eventState, parseSysmonConfig, schemaAtLeast, type SysmonConfig, type SysmonOperator } from '../environment/sysmon.js';
import type { SigmaRule } from '../rules/model.js';
import { lintSysmonConfig } from '../assess/sysmon-lint.js';
import { withholdHazards } from './sysmon-hazards.js';

export type SysmonMode = 'minimal' | 'targeted';

export interface SysmonNeed {
  rule: SigmaRule;
  eventIds: number[];
}

export interface GeneratedConfig {
  xml: string;
  schemaVersion: string;
  /** What was added, one line each (for the user and for tests). */
  added: string[];
  notes: string[];
}

/** Field preference when one condition must stand for a whole match term: the most telling first. */
const PREFERRED = [
  'Image',
  'TargetFilename',
  'TargetObject',
  'QueryName',
  'ImageLoaded',
  'PipeName',
  'TargetImage',
  'SourceImage',
  'DestinationPort',
  'DestinationHostname',
  'OriginalFileName',
  'CommandLine',
  'ParentImage',
];

interface Cond {
  field: string;
  operator: SysmonOperator;
  value: string;
  names: Set<string>;
}

/** Include conditions that cover every event the rule can match for this element, or undefined if none can. */
export function targetedConditions(rule: SigmaRule, fields: Set<string>): { conds: Omit<Cond, 'names'>[] } | { reason: string } {
  const { terms, notes } = matchTerms(rule);
  if (notes.length) return { reason: notes.join('; ') };
  const out: Omit<Cond, 'names'>[] = [];
  for (const term of terms) {
    const usable = term.filter((k) => fields.has(k.field.toLowerCase()) && k.patterns.length && k.patterns.every((p) => p.kind !== 'opaque' && p.value !== ''));
    if (!usable.length) return { reason: 'a selection tests no field Sysmon can filter on with a plain value' };
    const rank = (f: string) => {
      const i = PREFERRED.findIndex((p) => p.toLowerCase() === f.toLowerCase());
      return i < 0 ? PREFERRED.length : i;
    };
    const pick = [...usable].sort((a, b) => rank(a.field) - rank(b.field) || a.patterns.length - b.patterns.length)[0]!;
    // |all needs every value: one of them already selects a superset of the matching events.
    const patterns = pick.all ? pick.patterns.slice(0, 1) : pick.patterns;
    for (const p of patterns) {
      const operator: SysmonOperator = p.kind === 'exact' ? 'is' : p.kind === 'contains' ? 'contains' : p.kind === 'startswith' ? 'begin with' : 'end with';
      out.push({ field: pick.field, operator, value: p.raw });
    }
  }
  return { conds: out };
}

export interface SysmonConfigOptions {
  mode: SysmonMode;
  schema?: string;
  base?: { path: string; text: string };
  /** Write FileBlockExecutable / FileBlockShredding (include filters only); off unless the user asks. */
  allowEnforcement?: boolean;
}

interface ElementNeed {
  ids: Set<number>;
  rules: SigmaRule[];
  /** A hazardous element: written with include filters or not at all, never unfiltered. */
  includeOnly?: boolean;
}

export function generateSysmonConfig(needs: SysmonNeed[], catalog: Catalog, opts: SysmonConfigOptions): GeneratedConfig {
  const notes: string[] = [];
  const added: string[] = [];
  const byElement = new Map<string, ElementNeed>();
  for (const n of needs) {
    for (const id of n.eventIds) {
      const ev = catalog.sysmonEvent(id);
      if (!ev?.element) continue; // 4, 16, 255 are always logged
      const e = byElement.get(ev.element) ?? { ids: new Set(), rules: [] };
      e.ids.add(id);
      if (!e.rules.includes(n.rule)) e.rules.push(n.rule);
      byElement.set(ev.element, e);
    }
  }
  const base = opts.base ? parseSysmonConfig(opts.base.path, opts.base.text, catalog) : undefined;
  if (base) {
    // A merge never removes anything: what the base already does unsafely is said, not silently kept.
    for (const f of lintSysmonConfig(base, catalog))
      if (f.severity === 'hazard') notes.push(`the base ${base.path} line ${f.line}: ${f.message} (kept: a merge never removes; sysmon-lint reports it)`);
  }
  withholdHazards(byElement, catalog, opts, base, notes, (rule, fields) => {
    const t = targetedConditions(rule, fields);
    return !('reason' in t) && t.conds.length > 0;
  });

  let needed = 0; // a loop, not Math.max(...list): a spread of a long list overflows the stack
  for (const e of byElement.values()) for (const id of e.ids) needed = Math.max(needed, Number(catalog.sysmonEvent(id)?.minSchema ?? 0));
  let schema = opts.schema ?? (base ? base.schemaVersion : '');
  if (!schema || !schemaAtLeast(schema, String(needed))) {
    if (opts.schema) throw new Error(`--schema ${opts.schema} predates event types the rules need (schema ${needed.toFixed(2)} or later)`);
    if (base && schema) added.push(`schemaversion raised from ${schema} to ${needed.toFixed(2)}: older schemas do not know every event type needed`);
    schema = (schema && schemaAtLeast(schema, String(needed)) ? schema : needed.toFixed(2)) || '4.50';
  }

  const groups: string[] = [];
  for (const [element, e] of [...byElement].sort(([a], [b]) => a.localeCompare(b))) {
    const ids = [...e.ids].sort((a, b) => a - b);
    const states = base ? ids.map((id) => eventState(base, id, catalog)) : [];
    const label = `${element} (EID ${ids.join(', ')}; ${e.rules.length} rule${e.rules.length === 1 ? '' : 's'})`;
    if (base && states.every((s) => s === 'on')) continue; // already logged; its excludes are reported by check --sysmon
    const emptyInclude = base?.elements.get(element)?.hasInclude ?? false;
    // Turning a type fully on is only possible where the base has no include element for it; a hazardous
    // element (blocking, archiving) is never turned fully on.
    const mode: SysmonMode = opts.mode === 'targeted' || emptyInclude || e.includeOnly ? 'targeted' : 'minimal';
    if (mode === 'targeted') {
      const fields = new Set((catalog.sysmonEvent(ids[0] as number)?.fields ?? []).map((f) => f.toLowerCase()));
      const conds = new Map<string, Cond>();
      const untargetable: string[] = [];
      for (const rule of e.rules) {
        const t = targetedConditions(rule, fields);
        if ('reason' in t) {
          untargetable.push(`${rule.title}: ${t.reason}`);
          continue;
        }
        for (const c of t.conds) {
          const key = `${c.field.toLowerCase()}\n${c.operator}\n${c.value.toLowerCase()}`;
          const cur = conds.get(key) ?? { ...c, names: new Set<string>() };
          cur.names.add(rule.techniques[0] ?? rule.title);
          conds.set(key, cur);
        }
      }
      if (untargetable.length && e.includeOnly) {
        notes.push(
          `${element}: ${untargetable.length} rule(s) cannot be targeted and stay uncovered: ${element} is written with include filters only, never unfiltered (${untargetable.slice(0, 3).join('; ')}${untargetable.length > 3 ? '; …' : ''})`,
        );
      } else if (untargetable.length && !emptyInclude) {
        notes.push(
          `${element}: ${untargetable.length} rule(s) cannot be targeted, so the type is logged unfiltered (${untargetable.slice(0, 3).join('; ')}${untargetable.length > 3 ? '; …' : ''})`,
        );
        groups.push(group(`logsource-check: ${element}, unfiltered`, `    <${element} onmatch="exclude"/>`));
        added.push(`${label}: logged unfiltered (some rules cannot be targeted)`);
        continue;
      } else if (untargetable.length) {
        notes.push(
          `${element}: the base has an include element, so only include filters can be added; ${untargetable.length} rule(s) cannot be covered by one (${untargetable.slice(0, 3).join('; ')})`,
        );
      }
      if (!conds.size) continue;
      const lines = [...conds.values()]
        .sort((a, b) => a.field.localeCompare(b.field) || a.value.localeCompare(b.value))
        .map((c) => `      <${c.field} name="${xmlAttr(nameOf(c.names))}" condition="${c.operator}">${xmlText(c.value)}</${c.field}>`);
      groups.push(group(`logsource-check: ${element}, targeted`, [`    <${element} onmatch="include">`, ...lines, `    </${element}>`].join('\n')));
      added.push(`${label}: ${conds.size} include condition${conds.size === 1 ? '' : 's'}`);
    } else {
      groups.push(group(`logsource-check: ${element}`, `    <${element} onmatch="exclude"/>`));
      added.push(`${label}: logged unfiltered`);
    }
  }

  const block = groups.join('\n');
  if (!base || !opts.base) {
    const xml =
      [
        `<Sysmon schemaversion="${schema}">`,
        '  <!-- Generated by logsource-check for the event types a Sigma rule set needs. -->',
        '  <EventFiltering>',
        block,
        '  </EventFiltering>',
        '</Sysmon>',
        '',
      ]
        .filter((l) => l !== '')
        .join('\n') + '\n';
    return { xml, schemaVersion: schema, added, notes };
  }
  return { xml: mergeInto(opts.base.text, block, base, schema), schemaVersion: schema, added, notes };
}

function group(name: string, body: string): string {
  return [`  <RuleGroup name="${xmlAttr(name)}" groupRelation="or">`, body, '  </RuleGroup>'].join('\n');
}

/** Inserts the new RuleGroups before the base's last </EventFiltering>; only the schemaversion may change. */
function mergeInto(text: string, block: string, base: SysmonConfig, schema: string): string {
  let out = text;
  // Positions are found in the markup only: comments, CDATA and the prolog are masked (same length), so a
  // "</EventFiltering>" or "schemaversion=" inside a comment is never taken for the element or the attribute.
  const markup = () => out.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, (m) => ' '.repeat(m.length));
  if (schema !== base.schemaVersion) {
    const m = /<Sysmon\b[^>]*?\bschemaversion\s*=\s*(["'])[^"']*\1/i.exec(markup());
    if (m) {
      const value = m[0].lastIndexOf(m[1] as string, m[0].length - 2) + 1;
      out = out.slice(0, m.index + value) + schema + out.slice(m.index + m[0].length - 1);
    }
  }
  if (!block) return out;
  const masked = markup();
  const close = masked.search(/<\/EventFiltering\s*>(?![\s\S]*<\/EventFiltering\s*>)/);
  if (close >= 0) return `${out.slice(0, close)}${block}\n  ${out.slice(close)}`;
  const end = masked.search(/<\/Sysmon\s*>(?![\s\S]*<\/Sysmon\s*>)/);
  return `${out.slice(0, end)}  <EventFiltering>\n${block}\n  </EventFiltering>\n${out.slice(end)}`;
}

function nameOf(names: Set<string>): string {
  const list = [...names];
  const text = list.slice(0, 4).join(', ') + (list.length > 4 ? ` +${list.length - 4}` : '');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
