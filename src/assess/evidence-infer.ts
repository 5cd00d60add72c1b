/**
 * Settings inferred from the fields of the events that arrive (data/evidence-inference.yaml `inferences` and
 * `hashValues`), and those the configuration inputs contradict: the inputs are then stale or incomplete.
 */
import { fieldFacts, fieldKey as key, type FieldFacts } from './evidence-facts.js';
import { lookedFor, type FieldIndex } from './evidence-fields.js';

/** A setting inferred from field evidence that the configuration inputs contradict. */
export interface SettingConflict {
  /** Requirement id or name of the setting. */
  setting: string;
  /** What the evidence says: "on" / "off" / the algorithms seen. */
  evidence: string;
  /** What the configuration inputs say, with their reason. */
  config: string;
  /** The events and share it is inferred from ("CommandLine empty in 1,200 of 1,200 Security 4688"). */
  basis: string;
}

/** A setting inferred from field evidence (whether or not the inputs say anything about it). */
export interface InferredSetting {
  setting: string;
  value: string;
  basis: string;
}

const n = (x: number) => x.toLocaleString('en-US');

type StateOf = (id: string) => { state: string; reason: string; name?: string } | undefined;

/**
 * Settings the field evidence shows (data inferences: on / off from a field's share; Sysmon hash algorithms), and
 * those the configuration inputs contradict. A setting the inputs do not state on or off is never a conflict.
 */
export function inferSettings(
  index: FieldIndex,
  stateOf: StateOf | undefined,
  hashConfig?: string[],
  f: FieldFacts = fieldFacts(),
): { inferred: InferredSetting[]; conflicts: SettingConflict[] } {
  const inferred: InferredSetting[] = [];
  const conflicts: SettingConflict[] = [];
  for (const inf of f.inferences) {
    let records = 0;
    let present = 0;
    for (const id of inf.events) {
      const t = index.get(key(inf.channel, id));
      if (!t?.records) continue;
      records += lookedFor(t, inf.field.toLowerCase());
      present += t.present.get(inf.field.toLowerCase()) ?? 0;
    }
    if (!records) continue;
    const share = (100 * present) / records;
    const value = share >= f.thresholds.onAtLeast ? 'on' : share <= f.thresholds.offAtMost ? 'off' : undefined;
    if (!value) continue;
    const basis = `${inf.field} present in ${n(present)} of ${n(records)} ${inf.channel} ${inf.events.join(', ')}`;
    inferred.push({ setting: inf.setting, value, basis });
    const st = stateOf?.(inf.setting);
    if (st && (st.state === 'on' || st.state === 'off') && st.state !== value) {
      conflicts.push({
        setting: st.name ? `${st.name} (${inf.setting})` : inf.setting,
        evidence: value,
        config: `${st.state}${st.reason ? ` (${st.reason})` : ''}`,
        basis,
      });
    }
  }
  const h = f.hashValues;
  const seen = new Map<string, number>();
  let records = 0;
  for (const id of h.events) {
    const t = index.get(key(h.channel, id));
    if (!t?.records) continue;
    records += t.records;
    for (const [v, c] of t.values.get(h.field.toLowerCase()) ?? []) if (h.algorithms.includes(v)) seen.set(v, (seen.get(v) ?? 0) + c);
  }
  if (seen.size) {
    const algos = [...seen.keys()].sort();
    const basis = `${h.field} of ${n(records)} ${h.channel} ${h.events.join(', ')}: ${[...seen].map(([a, c]) => `${a} ×${n(c)}`).join(', ')}`;
    inferred.push({ setting: 'Sysmon <HashAlgorithms>', value: algos.join(','), basis });
    const config = hashConfig
      ?.map((a) => a.toUpperCase())
      .filter((a) => h.algorithms.includes(a))
      .sort();
    // "*" in the config means all; then every algorithm should show. Otherwise the sets must be equal.
    const want = hashConfig?.includes('*') ? [...h.algorithms].sort() : config;
    if (want && want.join(',') !== algos.join(','))
      conflicts.push({ setting: 'Sysmon <HashAlgorithms>', evidence: algos.join(','), config: hashConfig?.join(',') || 'none', basis });
  }
  return { inferred, conflicts };
}
