/**
 * Fixes are ranked per *setting*, the thing an admin changes, not per requirement. Most requirements are one
 * setting each (an audit subcategory + outcome, a policy, a channel), but several Sysmon event types share one
 * config element: RegistryEvent logs 12, 13 and 14, PipeEvent 17 and 18, WmiEvent 19, 20 and 21
 * (data/sysmon.yaml, `element`). Turning the element on turns on all of them, so ranking 13 and "12, 14" as two
 * fixes would count one change twice and split the rules it unlocks.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { RankItem } from './rank.js';
import { describeRequirement } from '../requirements/describe.js';

/** The setting a requirement belongs to: `sysmon-element:<Element>` for a Sysmon type with an element, else the id. */
export function settingOf(id: string, catalog: Catalog): string {
  if (!id.startsWith('sysmon:')) return id;
  const element = catalog.sysmonEvent(Number(id.slice(7)))?.element;
  return element ? `sysmon-element:${element}` : id;
}

export interface SettingView {
  /** The items with each alternative's missing requirements replaced by the settings that turn them on. */
  items: RankItem[];
  /** Per setting, the requirement ids it stands for (those some item lacks), sorted. */
  members: Map<string, string[]>;
  /** Requirement ids of a list of settings (the fix's `requires`). */
  expand: (settings: string[]) => string[];
}

/**
 * Lifts the ranking input from requirements to settings. A setting stands for the requirements the items lack,
 * never for ones that are already on: a config logging 12 but not 13 gets "RegistryEvent (EID 13)".
 */
export function bySetting(items: RankItem[], catalog: Catalog): SettingView {
  const sets = new Map<string, Set<string>>();
  const memo = new Map<string, string>();
  const keyOf = (id: string) => {
    let k = memo.get(id);
    if (k === undefined) memo.set(id, (k = settingOf(id, catalog)));
    return k;
  };
  const lifted = items.map((item) => ({
    ...item,
    missing: item.missing.map((m) => {
      const keys = new Set<string>();
      for (const id of m) {
        const k = keyOf(id);
        keys.add(k);
        let s = sets.get(k);
        if (!s) sets.set(k, (s = new Set()));
        s.add(id);
      }
      return [...keys].sort();
    }),
  }));
  const members = new Map([...sets].map(([k, s]) => [k, [...s].sort(compareIds)]));
  const expand = (settings: string[]) => settings.flatMap((k) => members.get(k) ?? [k]);
  return { items: lifted, members, expand };
}

/** sysmon:12 before sysmon:13 before sysmon:14 (numeric), other ids as strings. */
function compareIds(a: string, b: string): number {
  const na = a.startsWith('sysmon:') ? Number(a.slice(7)) : NaN;
  const nb = b.startsWith('sysmon:') ? Number(b.slice(7)) : NaN;
  return Number.isNaN(na) || Number.isNaN(nb) ? a.localeCompare(b) : na - nb;
}

/**
 * Names of the settings a list of requirements needs, each once: Sysmon types of one element as
 * "Sysmon RegistryEvent (EID 12, 13, 14)", the others by `name` (a caller may merge more, e.g. the outcomes of
 * one audit subcategory in the fix files).
 */
export function settingNames(ids: string[], catalog: Catalog, name: (id: string) => string = (id) => describeRequirement(id, catalog).name): string[] {
  const out: string[] = [];
  const elements = new Map<string, { at: number; eids: string[] }>();
  for (const id of ids) {
    const key = settingOf(id, catalog);
    if (key.startsWith('sysmon-element:')) {
      const element = key.slice('sysmon-element:'.length);
      let g = elements.get(element);
      if (!g) elements.set(element, (g = { at: out.push('') - 1, eids: [] }));
      if (!g.eids.includes(id.slice(7))) g.eids.push(id.slice(7));
      continue;
    }
    const n = name(id);
    if (!out.includes(n)) out.push(n);
  }
  for (const [element, g] of elements) out[g.at] = `Sysmon ${element} (EID ${g.eids.sort((a, b) => Number(a) - Number(b)).join(', ')})`;
  return out;
}
