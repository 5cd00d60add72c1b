/** Glue between the rule set and the Sysmon generator: what each rule needs, per-rule snippets, round trip. */
import { xmlAttr, xmlComment, xmlText } from '../escape.js';
import { matchTerms, simulate } from '../assess/sysmon-sim.js';
import type { Catalog } from '../catalog/catalog.js';
import { eventState, parseSysmonConfig } from '../environment/sysmon.js';
import type { CheckResult } from '../result/result.js';
import type { LoadedRule } from '../rules/model.js';
import { targetedConditions, type SysmonNeed } from './sysmon-config.js';

/** Rules with a Sysmon alternative, and its event types (rows are in the same order as the loaded rules). */
export function sysmonNeeds(rules: LoadedRule[], result: CheckResult): SysmonNeed[] {
  const needs: SysmonNeed[] = [];
  result.rules.forEach((row, i) => {
    const rule = rules[i];
    if (!rule || rule.kind !== 'rule') return;
    const ids = [
      ...new Set(
        row.alternatives
          .flat()
          .filter((id) => id.startsWith('sysmon:'))
          .map((id) => Number(id.slice(7))),
      ),
    ];
    if (ids.length) needs.push({ rule, eventIds: ids.sort((a, b) => a - b) });
  });
  return needs;
}

/**
 * `--for-rule`: the include snippet each rule needs, as rule authors put in `logsource.definition`. A blocking
 * or archiving type (catalog hazards) is never given unfiltered: a comment says why, or what to log instead.
 */
export function renderSnippets(needs: SysmonNeed[], catalog: Catalog, allowEnforcement = false): string {
  const out: string[] = [];
  for (const { rule, eventIds } of needs) {
    out.push(`<!-- ${xmlComment(`${rule.path}: ${rule.title}`)} -->`);
    for (const id of eventIds) {
      const ev = catalog.sysmonEvent(id);
      if (!ev?.element) continue;
      const hazard = catalog.withheld(`sysmon:${id}`);
      if (hazard && ((hazard.class === 'enforcement' && !allowEnforcement) || hazard.option)) {
        const why =
          hazard.class === 'enforcement'
            ? 'it blocks (enforcement); the rule detects blocks made by your own blocking policy'
            : `it needs <${hazard.option}/>, which stores data in the archive directory`;
        out.push(`<!-- ${xmlComment(`${ev.element} not written: ${why}`)} -->`);
        continue;
      }
      const t = targetedConditions(rule, new Set(ev.fields.map((f) => f.toLowerCase())));
      if ('reason' in t) {
        const alt = hazard?.instead !== undefined ? catalog.sysmonEvent(hazard.instead)?.element : undefined;
        if (hazard)
          out.push(
            `<!-- ${xmlComment(`${ev.element} not written unfiltered (${hazard.class}): ${t.reason}${alt ? `; ${alt} logs the same without the copy` : ''}`)} -->`,
            ...(alt ? [`<${alt} onmatch="exclude"/>`] : []),
          );
        else out.push(`<${ev.element} onmatch="exclude"/>  <!-- ${xmlComment(`unfiltered: ${t.reason}`)} -->`);
        continue;
      }
      out.push(
        `<${ev.element} onmatch="include">`,
        ...t.conds.map((c) => `  <${c.field} condition="${xmlAttr(c.operator)}">${xmlText(c.value)}</${c.field}>`),
        `</${ev.element}>`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

/** Re-parses a generated config with our own parser and simulates every rule against it. */
export function verifyGenerated(xml: string, needs: SysmonNeed[], catalog: Catalog): string {
  const config = parseSysmonConfig('(generated)', xml, catalog);
  let logged = 0;
  let partial = 0;
  let dropped = 0;
  const off = new Set<number>();
  for (const { rule, eventIds } of needs) {
    const terms = matchTerms(rule).terms;
    for (const id of eventIds) {
      const state = eventState(config, id, catalog);
      if (state === 'off' || state === 'unsupported') {
        off.add(id);
        dropped++;
        continue;
      }
      const el = catalog.sysmonEvent(id)?.element;
      const r = el ? simulate(terms, config.elements.get(el), el).result : 'logged';
      if (r === 'logged') logged++;
      else if (r === 'partial') partial++;
      else dropped++;
    }
  }
  return `${logged} rule × event type pairs logged, ${partial} partial, ${dropped} dropped${off.size ? ` (event types still off: ${[...off].join(', ')})` : ''}`;
}
