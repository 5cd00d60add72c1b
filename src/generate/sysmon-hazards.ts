/**
 * What the Sysmon generator does with hazardous event types (catalog `hazards:`, docs/safe-to-deploy.md):
 * - enforcement (FileBlockExecutable, FileBlockShredding): not written; with --allow-enforcement, include
 *   filters only. Rules reading 27/28 detect blocks some blocking policy made: never a reason to block.
 * - archives-data with an alternative (FileDelete → FileDeleteDetected): FileDelete only with include filters
 *   covering every rule (targeted mode, and a --base that already has FileDelete); otherwise the alternative is
 *   logged instead, and the rules that read the archiving type stay uncovered (said in a note).
 * - archives-data behind a configuration entry (ClipboardChange needs CaptureClipboard): the entry is never
 *   added, so the element is written only into a base that already has both, with include filters.
 * A --base merge never adds a blocking or archiving element the base lacks.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { SysmonConfig } from '../environment/sysmon.js';
import type { SigmaRule } from '../rules/model.js';

interface ElementNeed {
  ids: Set<number>;
  rules: SigmaRule[];
  includeOnly?: boolean;
}

/** `covers(rule, fields)`: include conditions on these fields can cover every event the rule matches. */
export function withholdHazards(
  byElement: Map<string, ElementNeed>,
  catalog: Catalog,
  opts: { mode: 'minimal' | 'targeted'; allowEnforcement?: boolean },
  base: SysmonConfig | undefined,
  notes: string[],
  covers: (rule: SigmaRule, fields: Set<string>) => boolean,
): void {
  for (const [element, e] of [...byElement]) {
    const ids = [...e.ids].sort((a, b) => a - b);
    const hazard = ids.map((id) => catalog.withheld(`sysmon:${id}`)).find((h) => h);
    if (!hazard) continue;
    const label = `${element} (EID ${ids.join(', ')}; ${e.rules.length} rule${e.rules.length === 1 ? '' : 's'})`;
    const baseHas = !!base?.elements.get(element);
    const fields = new Set((catalog.sysmonEvent(ids[0] as number)?.fields ?? []).map((f) => f.toLowerCase()));
    if (hazard.class === 'enforcement') {
      if (opts.allowEnforcement && !e.rules.some((r) => covers(r, fields))) {
        byElement.delete(element);
        notes.push(
          `${label}: not written even with --allow-enforcement: no rule can be covered by include filters, and ${element} is never written unfiltered (it blocks)`,
        );
        continue;
      }
      if (opts.allowEnforcement) {
        e.includeOnly = true;
        notes.push(`${label}: --allow-enforcement: written with include filters from the rules only; Sysmon BLOCKS what they match`);
        continue;
      }
      byElement.delete(element);
      notes.push(
        `${label}: not written: ${element} blocks, it does not only log (enforcement). These rules detect blocks made by your own blocking policy; this tool does not write one (--allow-enforcement writes include filters from the rules)`,
      );
      continue;
    }
    if (hazard.option) {
      const baseOption = !!base?.layout?.options.has(hazard.option);
      if (baseHas && baseOption) {
        e.includeOnly = true;
        continue;
      }
      byElement.delete(element);
      notes.push(
        `${label}: not written: Sysmon logs it only with <${hazard.option}/>, which stores data in the archive directory (${hazard.class}, privacy); this tool never adds ${hazard.option}. These rules stay uncovered until you deploy it deliberately, with include filters`,
      );
      continue;
    }
    const targetable = e.rules.every((r) => covers(r, fields));
    if ((opts.mode === 'targeted' || base?.elements.get(element)?.hasInclude) && targetable && (!base || baseHas)) {
      e.includeOnly = true;
      notes.push(
        `${label}: written with include filters only: Sysmon copies each file it logs to the archive directory (C:\\Sysmon unless ArchiveDirectory says otherwise)`,
      );
      continue;
    }
    byElement.delete(element);
    const alt = hazard.instead !== undefined ? catalog.sysmonEvent(hazard.instead) : undefined;
    const why =
      base && !baseHas
        ? `the base ${base.path} has no ${element} and a merge never adds an archiving element`
        : !targetable
          ? 'some rules cannot be targeted by include filters'
          : 'minimal mode would log it unfiltered';
    if (!alt?.element) {
      notes.push(`${label}: not written: it archives data and ${why}; these rules stay uncovered`);
      continue;
    }
    const into = byElement.get(alt.element) ?? { ids: new Set<number>(), rules: [] };
    into.ids.add(alt.id);
    for (const r of e.rules) if (!into.rules.includes(r)) into.rules.push(r);
    byElement.set(alt.element, into);
    notes.push(
      `${label}: not written: every file it logs is copied to the archive directory (C:\\Sysmon by default) and ${why}. ${alt.element} (EID ${alt.id}) logs the same deletions without the copy and is written instead; the ${e.rules.length} rule(s) reading EID ${ids.join(', ')} stay uncovered until they read EID ${alt.id} (category file_delete_detected) or you write ${element} include filters (--mode targeted)`,
    );
  }
}
