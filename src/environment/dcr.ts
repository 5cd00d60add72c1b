/**
 * Azure Monitor Agent data collection rules (DCR) → forwarded set. A rule is read from any of the forms people
 * export: an ARM template (resources[] of type Microsoft.Insights/dataCollectionRules, .properties), the REST /
 * `az monitor data-collection rule show` form (properties at the top, or lifted to the top level) and a list of
 * them (`az ... list`). Each windowsEventLogs data source holds "Channel!XPath" strings: the XPath is the Event
 * Log API's, evaluated by querylist.ts. A DCR string has no <Suppress>: exclusions are written in the XPath
 * (EventID != n, not(...)). A data source sends only through the dataFlows that name one of its streams; a
 * transformKql on every such flow may drop events, so what it selects is then only "possible".
 */
import { addForward, type ForwardedSet } from './forwarded.js';
import { evaluateXPath } from './querylist.js';
import { LIMITS } from '../limits.js';
import { scalar } from './scalar.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, LIMITS.collector.entries) : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** The rule bodies (objects holding dataSources) of a parsed DCR file, each with a label. */
export function dcrBodies(doc: unknown): { label: string; body: Obj }[] {
  const out: { label: string; body: Obj }[] = [];
  const visit = (d: unknown, label: string) => {
    if (Array.isArray(d)) {
      list(d).forEach((x, i) => visit(x, `${label}[${i}]`));
      return;
    }
    if (!isObj(d)) return;
    if (Array.isArray(d['resources'])) {
      list(d['resources']).forEach((r, i) => {
        if (isObj(r) && /dataCollectionRules$/i.test(scalar(r['type'])) && isObj(r['properties']))
          out.push({ label: `resource ${typeof r['name'] === 'string' ? r['name'] : i}`, body: r['properties'] });
      });
      return;
    }
    const name = typeof d['name'] === 'string' ? d['name'] : label;
    if (isObj(d['properties']) && isObj(d['properties']['dataSources'])) out.push({ label: name, body: d['properties'] });
    else if (isObj(d['dataSources'])) out.push({ label: name, body: d });
  };
  visit(doc, 'rule');
  return out;
}

/** Comparisons in an XPath: what AMA's documented limit on expressions counts. */
export const countExpressions = (xpath: string): number => (xpath.replace(/'[^']*'|"[^"]*"/g, '').match(/!=|>=|<=|=|<|>|&[lg]t;/g) ?? []).length;

/** Is the flow's transformation the identity ("source")? */
const identity = (kql: unknown) => kql === undefined || kql === null || (typeof kql === 'string' && /^\s*source\s*$/i.test(kql));

export function readDcr(content: string, source: string, into: ForwardedSet, notes: string[], maxExpressions?: number): void {
  let doc: unknown;
  try {
    doc = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`JSON error: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  const rules = dcrBodies(doc);
  if (!rules.length)
    throw new Error(
      'no data collection rule found (dataSources at the top level, under properties, or in an ARM resource of type Microsoft.Insights/dataCollectionRules)',
    );
  for (const { label, body } of rules) {
    const where = `${source} ${label}`;
    const sources = (body['dataSources'] as Obj)['windowsEventLogs'];
    if (!Array.isArray(sources) || !sources.length) {
      notes.push(`${where}: no windowsEventLogs data source; it collects no Windows event`);
      continue;
    }
    const flows = list(body['dataFlows']).filter(isObj);
    list(sources).forEach((ds, i) => {
      if (!isObj(ds)) return;
      const dsLabel = `${where} windowsEventLogs[${i}]${typeof ds['name'] === 'string' ? ` (${ds['name']})` : ''}`;
      const streams = strings(ds['streams']);
      const routed = streams.filter((s) => flows.some((f) => strings(f['streams']).some((x) => x.toLowerCase() === s.toLowerCase())));
      if (!routed.length) {
        notes.push(`${dsLabel}: its streams (${streams.join(', ') || 'none'}) are in no dataFlow; it sends nothing`);
        return;
      }
      // Surely sent only if some flow takes a routed stream without transformation (and the source has none).
      const plain =
        identity(ds['transformKql']) &&
        routed.some((s) => flows.some((f) => strings(f['streams']).some((x) => x.toLowerCase() === s.toLowerCase()) && identity(f['transformKql'])));
      const extra = plain ? [] : ['transformKql (not evaluated)'];
      for (const q of strings(ds['xPathQueries'])) {
        if (/^\s*\[.*\]\s*$/s.test(q)) {
          notes.push(
            `${dsLabel}: ${q.slice(0, 80)} is an ARM template expression; not evaluated (give the deployed rule: az monitor data-collection rule show)`,
          );
          continue;
        }
        const bang = q.indexOf('!');
        if (bang < 1) {
          notes.push(`${dsLabel}: "${q.slice(0, 80)}" is not Channel!XPath; AMA rejects it`);
          continue;
        }
        const channel = q.slice(0, bang).trim();
        const xpath = q.slice(bang + 1).trim() || '*';
        const n = countExpressions(xpath);
        if (maxExpressions !== undefined && n > maxExpressions)
          notes.push(`${dsLabel}: ${channel} query has ${n} expressions, more than the ${maxExpressions} Azure Monitor documents for a DCR XPath`);
        try {
          const sel = evaluateXPath(xpath);
          addForward(into, channel, plain ? sel.sure : [], sel.possible, [...sel.reasons, ...extra], dsLabel, plain ? sel.cond : undefined);
        } catch (e) {
          notes.push(`${dsLabel}: ${channel}: ${(e as Error).message}; this query is not counted`);
        }
      }
    });
  }
}
