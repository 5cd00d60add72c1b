/**
 * A ranked fix as the settings an admin changes (src/assess/settings.ts ranks by setting). Its requirements that
 * share a Sysmon config element are one setting: "Sysmon RegistryEvent (EID 12, 13, 14)", said once in every
 * renderer (table, --verbose, Markdown, HTML), so a reader never sees one element as several changes.
 */
import type { RecommendationRow } from '../result/result.js';

export interface FixSetting {
  name: string;
  /** The state now; "off/filtered" style when the event types of one element differ. */
  state: string;
  /** How to turn it on, each distinct text once. */
  enable: string[];
  /** The requirement ids it turns on. */
  ids: string[];
}

export function fixSettings(requires: RecommendationRow['requires']): FixSetting[] {
  const out: FixSetting[] = [];
  const byElement = new Map<string, { setting: FixSetting; states: string[]; eids: string[] }>();
  for (const q of requires) {
    if (!q.group || !q.id.startsWith('sysmon:')) {
      out.push({ name: q.name, state: String(q.state), enable: [q.enable], ids: [q.id] });
      continue;
    }
    let g = byElement.get(q.group);
    if (!g) {
      g = { setting: { name: '', state: '', enable: [], ids: [] }, states: [], eids: [] };
      byElement.set(q.group, g);
      out.push(g.setting);
    }
    g.eids.push(q.id.slice(7));
    g.setting.ids.push(q.id);
    if (!g.states.includes(String(q.state))) g.states.push(String(q.state));
    if (!g.setting.enable.includes(q.enable)) g.setting.enable.push(q.enable);
  }
  for (const [element, g] of byElement) {
    g.setting.name = `Sysmon ${element} (EID ${g.eids.join(', ')})`;
    g.setting.state = g.states.join('/');
  }
  return out;
}

/** "Sysmon RegistryEvent (EID 12, 13, 14) (unknown)": one label per setting with its state now. */
export function settingLabels(requires: RecommendationRow['requires']): string[] {
  return fixSettings(requires).map((s) => `${s.name} (${s.state})`);
}
