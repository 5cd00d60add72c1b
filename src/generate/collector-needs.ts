/** What a rule set needs forwarded, and the XPath batches every collector generator writes it with. */
import { isAll, type Ranges } from '../environment/forwarded.js';

/** Channel → the event IDs the rules need from it (ALL when some rule matches any event of it). */
export type Needs = Map<string, { channel: string; ids: Ranges }>;

/** XPath terms for a range list: EventID=n, or a >= / <= pair for a run of 3 or more (entities for XML). */
function terms(ids: Ranges, xml: boolean): string[] {
  const out: string[] = [];
  const [ge, le] = xml ? ['&gt;=', '&lt;='] : ['>=', '<='];
  for (const [a, b] of ids) {
    if (b - a >= 2) out.push(`(EventID ${ge} ${a} and EventID ${le} ${b})`);
    else for (let i = a; i <= b; i++) out.push(`EventID=${i}`);
  }
  return out;
}

/**
 * XPaths `*[System[(… or …)]]` selecting `ids`, each with at most `max` comparisons (a range counts two); `*`
 * for every ID. `xml`: written inside XML, so >= and <= as entities.
 */
export function xpathBatches(ids: Ranges, max: number | undefined, xml = true): string[] {
  if (isAll(ids)) return ['*'];
  const wrap = (ts: string[]) => `*[System[(${ts.join(' or ')})]]`;
  const weight = (t: string) => (t.startsWith('(') ? 2 : 1);
  const out: string[] = [];
  let batch: string[] = [];
  let used = 0;
  for (const t of terms(ids, xml)) {
    if (batch.length && max !== undefined && used + weight(t) > max) {
      out.push(wrap(batch));
      batch = [];
      used = 0;
    }
    batch.push(t);
    used += weight(t);
  }
  if (batch.length) out.push(wrap(batch));
  return out;
}
