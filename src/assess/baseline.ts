/**
 * A host against a published baseline, setting by setting, and a baseline taken "as if it were a host".
 * Pure: no I/O. The statuses (docs/baselines.md):
 *   meets     the host has exactly what the baseline asks
 *   stronger  it has what the baseline asks and more (an outcome the baseline leaves out, a bigger log)
 *   weaker    it has part of it (Success where Success and Failure are asked, a smaller log)
 *   missing   it has none of it (No Auditing, the policy or channel off, the log size not set by its policy)
 *   unknown   the inputs do not say
 */
import { auditDefault } from './audit-defaults.js';
import type { Catalog } from '../catalog/catalog.js';
import { percent } from './counts.js';
import type { Baseline, BaselineAudit, Want } from '../catalog/baselines.js';
import { emptyHost, type AuditValue, type HostEnvironment } from '../environment/model.js';
import { requirementState, type StateOptions } from './verdict.js';

export type SettingStatus = 'meets' | 'stronger' | 'weaker' | 'missing' | 'unknown';
export const STATUSES: readonly SettingStatus[] = ['meets', 'stronger', 'weaker', 'missing', 'unknown'];

export interface SettingComparison {
  kind: 'audit' | 'log' | 'policy' | 'channel';
  /** GUID, log name, policy slug or channel name. */
  key: string;
  name: string;
  /** What the baseline asks, in words ("Success and Failure", "≥ 196608 KB", "enabled"). */
  want: string;
  /** What the host has, in words. */
  have: string;
  status: SettingStatus;
  /** The baseline asks for something here; settings asking nothing (No/IF only) are shown but not counted. */
  required: boolean;
  /** Where the host's value comes from, or why it is unknown. */
  detail: string;
  /** Where the baseline's value comes from. */
  source: string;
}

export interface BaselineComparison {
  baseline: string;
  host: string;
  settings: SettingComparison[];
  /** Per status, over required settings only. */
  counts: Record<SettingStatus, number>;
  required: number;
  /** meets + stronger among required settings. */
  met: number;
  /** met / required in percent, one decimal; null when the baseline requires nothing. */
  metPercent: number | null;
}

/** Compares one host with one baseline; `opts.assumeDefaults` fills unknowns the way the rest of the checker does. */
export function compareHost(baseline: Baseline, host: HostEnvironment, catalog: Catalog, opts: StateOptions = {}): BaselineComparison {
  const settings: SettingComparison[] = [
    ...baseline.audit.map((a) => compareAudit(a, host, catalog, opts)),
    ...baseline.logs.map((l): SettingComparison => {
      const base = { kind: 'log' as const, key: l.log, name: `${l.log} log`, required: true, source: l.source };
      const want = [l.maxSizeKB !== undefined ? `≥ ${l.maxSizeKB} KB` : '', l.retention !== undefined ? `retention ${RETENTION[l.retention]}` : '']
        .filter(Boolean)
        .join(', ');
      const h = host.eventLogs.get(l.log);
      const def = catalog.eventLogs.find((t) => t.log === l.log)?.defaultKB;
      let size = h?.maxSizeKB;
      let from = h?.source ?? '';
      if (size === undefined && opts.assumeDefaults && def !== undefined && l.maxSizeKB !== undefined) {
        size = def;
        from = `assumed Windows default ${def} KB (eventlog.yaml)`;
      }
      const have =
        [size !== undefined ? `${size} KB` : '', h?.retention !== undefined ? `retention ${RETENTION[h.retention] ?? h.retention}` : '']
          .filter(Boolean)
          .join(', ') || 'not set';
      const sizeCmp = l.maxSizeKB === undefined ? 0 : size === undefined ? undefined : Math.sign(size - l.maxSizeKB);
      const retCmp = l.retention === undefined ? 0 : h?.retention === undefined ? undefined : h.retention === l.retention ? 0 : -1;
      if (sizeCmp === undefined || retCmp === undefined) {
        // A policy input that sets no size means the host's policy does not set it; without one, nothing tells.
        const status: SettingStatus = host.covers.policies ? 'missing' : 'unknown';
        return {
          ...base,
          want,
          have,
          status,
          detail:
            status === 'missing'
              ? "not set by the host's policy: the locally configured size applies"
              : "the inputs do not show this log's size (wevtutil-gl.txt in a host snapshot does)",
        };
      }
      const status: SettingStatus = sizeCmp < 0 || retCmp < 0 ? 'weaker' : sizeCmp > 0 ? 'stronger' : 'meets';
      return { ...base, want, have, status, detail: retCmp < 0 ? `${from}; retention differs from the baseline's` : from };
    }),
    ...baseline.policies.map((p) => onOff('policy', p.id, p.name, `policy:${p.id}`, p.source, host, catalog, opts)),
    ...baseline.channels.map((ch) => onOff('channel', ch.name, ch.name, `channel:${ch.name}`, ch.source, host, catalog, opts)),
  ];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SettingStatus, number>;
  for (const s of settings) if (s.required) counts[s.status]++;
  const required = settings.filter((s) => s.required).length;
  const met = counts.meets + counts.stronger;
  return { baseline: baseline.name, host: host.name, settings, counts, required, met, metPercent: percent(met, required) };
}

const RETENTION: Record<number, string> = { 0: 'overwrite as needed', 1: 'overwrite by days', 2: 'never overwrite' };

function compareAudit(a: BaselineAudit, host: HostEnvironment, catalog: Catalog, opts: StateOptions): SettingComparison {
  const want = describeWant(a.success, a.failure);
  const required = a.success === 'on' || a.failure === 'on';
  const base = { kind: 'audit' as const, key: a.guid, name: a.name, want, required, source: a.source };
  let v = host.covers.audit ? host.audit.get(a.guid) : undefined;
  let assumed = '';
  if (opts.assumeDefaults && (v?.success === undefined || v?.failure === undefined)) {
    // --assume-defaults: a side no input names takes Windows' default for the host's edition (audit-defaults.ts).
    const s = v?.success ?? auditDefault(a.guid, 'success', host, catalog).on;
    const f = v?.failure ?? auditDefault(a.guid, 'failure', host, catalog).on;
    if (s !== v?.success || f !== v?.failure) {
      v = {
        ...(s !== undefined ? { success: s } : {}),
        ...(f !== undefined ? { failure: f } : {}),
        source: v?.source ?? 'assumed Windows default (baseline windows-default)',
      };
      assumed = v.source.startsWith('assumed') ? '' : '; sides no input names: assumed Windows default (baseline windows-default)';
    }
  }
  if (!host.covers.audit && !v)
    return { ...base, have: 'not in the inputs', status: 'unknown', detail: 'no audit policy input (gpresult, auditpol or a host snapshot)' };
  const have = describeHave(v);
  const detail = (v?.source ?? 'not configured by the inputs: the Windows default applies (auditpol /get /category:* /r shows it)') + assumed;
  const sides: [Want, boolean | undefined][] = [
    [a.success, v?.success],
    [a.failure, v?.failure],
  ];
  const asked = sides.filter(([w]) => w === 'on');
  // Any outcome the baseline does not ask for, audited anyway, is more logging than the baseline.
  const extra = sides.some(([w, h]) => w !== 'on' && h === true);
  if (asked.some(([, h]) => h === undefined)) return { ...base, have, status: 'unknown', detail };
  const on = asked.filter(([, h]) => h === true).length;
  let status: SettingStatus;
  if (!asked.length) {
    status = extra ? 'stronger' : sides.some(([w, h]) => w === 'off' && h === undefined) ? 'unknown' : 'meets';
  } else if (on === asked.length) status = extra ? 'stronger' : 'meets';
  else status = on ? 'weaker' : 'missing';
  return { ...base, have, status, detail };
}

function onOff(
  kind: 'policy' | 'channel',
  key: string,
  name: string,
  id: string,
  source: string,
  host: HostEnvironment,
  catalog: Catalog,
  opts: StateOptions,
): SettingComparison {
  const st = requirementState(id, host, catalog, opts);
  const status: SettingStatus = st.state === 'on' ? 'meets' : st.state === 'off' ? 'missing' : 'unknown';
  const have = st.state === 'on' ? 'enabled' : st.state === 'off' ? 'not enabled' : 'not in the inputs';
  return { kind, key, name, want: 'enabled', have, status, required: true, detail: st.reason, source };
}

/** "Success and Failure", "Success", "Failure (Success: any)", "No Auditing", "Failure not audited (Success: any)". */
export function describeWant(success: Want, failure: Want): string {
  const sides = (w: Want) => [success === w ? 'Success' : '', failure === w ? 'Failure' : ''].filter(Boolean);
  const [on, off, any] = [sides('on'), sides('off'), sides('any')];
  const open = any.length ? ` (${any.join(', ')}: any)` : '';
  if (on.length) return `${on.join(' and ')}${open}`;
  if (!any.length) return 'No Auditing';
  return off.length ? `${off[0]} not audited${open}` : 'no requirement';
}

function describeHave(v: AuditValue | undefined): string {
  if (!v || (v.success === undefined && v.failure === undefined)) return 'not configured';
  if (v.success === undefined || v.failure === undefined) {
    const known = v.success === undefined ? `Failure ${v.failure ? 'on' : 'off'}` : `Success ${v.success ? 'on' : 'off'}`;
    return `${known}, ${v.success === undefined ? 'Success' : 'Failure'} not configured`;
  }
  return v.success && v.failure ? 'Success and Failure' : v.success ? 'Success' : v.failure ? 'Failure' : 'No Auditing';
}

/**
 * The baseline as a host: what it sets, set; everything it does not set left as the inputs would leave it.
 * A baseline lists what it configures and nothing else, so an unlisted subcategory is "not configured" —
 * unknown, as for a host whose inputs do not state it (the catalog holds no Windows default audit policy, so
 * --assume-defaults does not fill it either). Logging policies it does not set stay at their Windows default
 * (disabled), as for a gpresult that does not configure them; Sysmon, SACLs and other channels stay unknown.
 */
export function baselineAsHost(baseline: Baseline, catalog: Catalog): HostEnvironment {
  const host = emptyHost(baseline.name);
  const label = `baseline ${baseline.name} (${baseline.version})`;
  host.files.push(`data/baselines/${baseline.file}`);
  const value = (w: Want): boolean | undefined => (w === 'on' ? true : w === 'off' ? false : undefined);
  for (const a of baseline.audit) {
    const v: AuditValue = { source: label };
    const s = value(a.success);
    const f = value(a.failure);
    if (s !== undefined) v.success = s;
    if (f !== undefined) v.failure = f;
    if (s !== undefined || f !== undefined) host.audit.set(a.guid, v);
  }
  host.covers = { audit: true, policies: true };
  if (baseline.covers.includes('policies')) {
    for (const p of catalog.policies) {
      if (p.outsideGroupPolicy) continue; // no logging baseline sets it: left to the inputs (unknown)
      const set = baseline.policies.some((x) => x.id === p.id);
      host.policies.set(p.id, set ? { state: 'on', source: label } : { state: 'off', source: `not set by baseline ${baseline.name} (disabled by default)` });
    }
  } else {
    // The file records no policies: what the baseline says of them is not known, which is not "disabled".
    host.policyGaps = new Map(catalog.policies.map((p) => [p.id, `baseline ${baseline.name} as recorded here holds no logging policies`]));
  }
  for (const l of baseline.logs) host.eventLogs.set(l.log, { log: l.log, maxSizeKB: l.maxSizeKB, retention: l.retention, source: label });
  if (baseline.covers.includes('channels')) {
    host.channels = {
      list: new Map(baseline.channels.map((c) => [c.name.toLowerCase(), { name: c.name, exists: true, enabled: true }])),
      complete: false,
      source: label,
    };
  }
  if (baseline.role)
    host.role = { kind: baseline.role, features: new Set(), complete: false, source: `${label}: written for a ${baseline.role.replace('-', ' ')}` };
  host.notes.push(`${baseline.title}: assessed as if it were a host; what it does not set is not configured`);
  return host;
}
