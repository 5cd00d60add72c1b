/**
 * Deployment hazards of a Sysmon configuration, each with its element and line: what the config does besides
 * logging. Hazards (a CI gate fails on them): an enforcement element with no include filter (it blocks
 * everything it does not exclude), FileDelete or ClipboardChange with no include filter (every deleted file or
 * clipboard text copied to disk), CaptureClipboard with ClipboardChange on, an archive directory on the system
 * drive while something archives unfiltered, an element newer than the schemaversion (Sysmon rejects the file).
 * Warnings: the same things bounded by include filters. Which element carries which hazard is catalog data.
 */
import type { Catalog } from '../catalog/catalog.js';
import { eventState, schemaAtLeast, type ElementRules, type SysmonConfig } from '../environment/sysmon.js';
import type { ElementAt, SysmonLayout } from '../environment/sysmon-layout.js';

export type LintSeverity = 'hazard' | 'warning';
export type LintClass = 'enforcement' | 'archives-data' | 'privacy' | 'schema';

export interface SysmonFinding {
  severity: LintSeverity;
  class: LintClass;
  /** Element or configuration entry the finding is about. */
  element: string;
  eventId?: number;
  /** 1-based line in the file. */
  line: number;
  message: string;
  source?: string;
}

const SYSINTERNALS = 'https://learn.microsoft.com/en-us/sysinternals/downloads/sysmon';

export function lintSysmonConfig(config: SysmonConfig, catalog: Catalog): SysmonFinding[] {
  const layout: SysmonLayout = config.layout ?? { elements: [], options: new Map<string, { line: number; value: string }>(), rootLine: 1 };
  const out: SysmonFinding[] = [];
  const at = (element: string, pick?: (e: ElementAt) => boolean): number =>
    (layout.elements.find((e) => e.element === element && (!pick || pick(e))) ?? layout.elements.find((e) => e.element === element))?.line ?? layout.rootLine;
  const exclude = (e: ElementAt) => e.onmatch === 'exclude';
  const idOf = new Map<string, number>();
  for (const ev of catalog.sysmonEvents) if (ev.element && !idOf.has(ev.element)) idOf.set(ev.element, ev.id);
  const on = (id: number) => ['on', 'filtered'].includes(eventState(config, id, catalog));
  const excludeOnly = (r: ElementRules | undefined) => !!r && r.includeSets === 0 && r.excludeSets > 0;
  const capture = layout.options.get('CaptureClipboard');
  /** Elements that copy data to disk on this config, and whether any does so without an include filter. */
  const archiving: { element: string; unfiltered: boolean }[] = [];

  for (const [element, id] of idOf) {
    const ev = catalog.sysmonEvent(id);
    const rules = config.elements.get(element);
    if (!ev || !rules) continue;
    for (const h of ev.hazards ?? []) {
      const excludes = rules.exclude.length;
      const what = excludes ? `only exclude filters (${excludes})` : 'an empty exclude';
      if (h.class === 'enforcement') {
        if (excludeOnly(rules))
          out.push({
            severity: 'hazard',
            class: 'enforcement',
            element,
            eventId: id,
            line: at(element, exclude),
            source: h.source,
            message: `${element} (EID ${id}) is a blocking rule, not a log switch: with ${what} and no include filter Sysmon blocks every operation of its kind that no exclude matches`,
          });
        else if (rules.include.length)
          out.push({
            severity: 'warning',
            class: 'enforcement',
            element,
            eventId: id,
            line: at(element, (e) => e.onmatch === 'include'),
            source: h.source,
            message: `${element} (EID ${id}) blocks what its ${rules.include.length} include filter(s) match: a blocking policy; keep it only if it is deliberate`,
          });
      } else if (h.class === 'archives-data') {
        if (h.option && !capture) continue; // ClipboardChange archives nothing without CaptureClipboard
        if (!on(id) && !excludeOnly(rules)) continue;
        archiving.push({ element, unfiltered: excludeOnly(rules) });
        if (excludeOnly(rules)) {
          const instead = h.instead !== undefined ? catalog.sysmonEvent(h.instead) : undefined;
          const alt = instead?.element ? `; ${instead.element} (EID ${instead.id}) logs the same without the copy` : '';
          out.push({
            severity: 'hazard',
            class: 'archives-data',
            element,
            eventId: id,
            line: at(element, exclude),
            source: h.source,
            message: `${element} (EID ${id}) with ${what} and no include filter copies the data of every event it logs to the archive directory${alt}; log it with include filters only`,
          });
        }
      }
    }
  }

  if (capture) {
    const clip = idOf.get('ClipboardChange') ?? 24;
    const active = on(clip) && !!config.elements.get('ClipboardChange');
    out.push({
      severity: active ? 'hazard' : 'warning',
      class: 'privacy',
      element: 'CaptureClipboard',
      eventId: clip,
      line: capture.line,
      source: catalog.sysmonEvent(clip)?.hazards?.find((h) => h.class === 'privacy')?.source,
      message: active
        ? 'CaptureClipboard: the text of every clipboard change ClipboardChange logs is stored in the archive directory (passwords, personal data)'
        : 'CaptureClipboard is set but ClipboardChange logs nothing: clipboard text would be stored as soon as a ClipboardChange rule is added',
    });
  }

  if (archiving.length) {
    const dir = layout.options.get('ArchiveDirectory');
    const value = dir?.value ?? '';
    // The Sysinternals page: "Name of directories at volume roots" (default Sysmon, i.e. C:\Sysmon): a bare name
    // is at the root of the system drive too; only a path on another drive or a share keeps it off.
    const elsewhere = /^(?![cC]:)[A-Za-z]:/.test(value) || /^\\\\/.test(value);
    if (!elsewhere) {
      const unfiltered = archiving.some((a) => a.unfiltered);
      const where = dir
        ? `ArchiveDirectory "${value}" is on the system drive (a name is a directory at each volume root, C: included)`
        : 'ArchiveDirectory is not set: archived files go to C:\\Sysmon, the default, on the system drive';
      out.push({
        severity: unfiltered ? 'hazard' : 'warning',
        class: 'archives-data',
        element: dir ? 'ArchiveDirectory' : (archiving[0] as { element: string }).element,
        line: dir?.line ?? at((archiving[0] as { element: string }).element),
        source: SYSINTERNALS,
        message: `${where}; ${archiving.map((a) => `${a.element}${a.unfiltered ? ' (unfiltered)' : ' (include filters)'}`).join(', ')} ${archiving.length === 1 ? 'fills' : 'fill'} it${unfiltered ? ' without bound' : ''}`,
      });
    }
  }

  const seen = new Set<string>();
  for (const e of layout.elements) {
    if (seen.has(e.element)) continue;
    seen.add(e.element);
    const min = catalog.sysmonEvent(idOf.get(e.element) ?? -1)?.minSchema;
    if (min && !schemaAtLeast(config.schemaVersion, min))
      out.push({
        severity: 'hazard',
        class: 'schema',
        element: e.element,
        eventId: idOf.get(e.element),
        line: e.line,
        source: SYSINTERNALS,
        message: `<${e.element}> needs schemaversion ${min} or later; this file says ${config.schemaVersion}, so Sysmon rejects it and keeps the configuration it had`,
      });
  }
  return out.sort((a, b) => a.line - b.line || a.element.localeCompare(b.element));
}

export function countFindings(f: SysmonFinding[]): { hazards: number; warnings: number } {
  const hazards = f.filter((x) => x.severity === 'hazard').length;
  return { hazards, warnings: f.length - hazards };
}

/** A fleet shares a few configs: each is linted once (by identity, as the simulation is). */
const linted = new WeakMap<SysmonConfig, SysmonFinding[]>();
export function lintOnce(config: SysmonConfig, catalog: Catalog): SysmonFinding[] {
  let f = linted.get(config);
  if (!f) linted.set(config, (f = lintSysmonConfig(config, catalog)));
  return f;
}
