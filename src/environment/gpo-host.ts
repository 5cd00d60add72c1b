/**
 * What GPOs give, as one virtual host: "a host that gets only these GPOs". The GPOs come in link order, as
 * GPMC shows it: the first given is link order 1, the highest precedence, so a setting it defines wins over
 * the same setting in a later one. Group Policy applies the lowest precedence first and the highest last;
 * so does this: registry.pol entries (values set, **del.X / **delvals. / **DeleteValues / **DeleteKeys
 * deleting what a lower GPO set) are replayed GPO after GPO from the last given to the first.
 *
 * Not configured by the GPOs: an administrative-template policy is off ("not set by GPO X": these policies
 * are disabled by default); audit policy follows effective.ts (advanced audit from Group Policy clears
 * what it leaves out; without it, the Windows default applies and stays unknown). Channels, Sysmon and
 * roles are not in a GPO: unknown, unless --role says.
 */
import type { Catalog } from '../catalog/catalog.js';
import { CLASSIC_LOGS, templateLog, type GpresultSettings } from './gpresult.js';
import type { GpoInput } from './gpo.js';
import { applyGpresult } from './merge.js';
import { emptyHost, type HostEnvironment } from './model.js';
import { normaliseKey } from './regfile.js';
import { registryPolicyOn } from './registry-match.js';
import { typeName } from './registry-pol.js';

const LABEL = '--gpo';

interface RegValue {
  data: unknown;
  gpo: string;
  file: string;
}

/**
 * The registry values the GPOs leave, and for each key/value the GPO that last set or deleted it. Only the keys
 * something here reads are kept (the catalog's policy keys, the four event logs' policy keys): a registry.pol
 * may hold 400,000 entries (the limit), and a key deletion then costs a pass over a handful of keys, not over
 * every key the GPOs set.
 */
class Registry {
  values = new Map<string, Map<string, RegValue>>();
  /** Last setter or deleter per "key\nvalue" (or "key\n*" for the whole key), with the order of the operation. */
  touched = new Map<string, { gpo: string; seq: number }>();
  private seq = 0;
  constructor(private readonly keys: Set<string>) {}
  set(key: string, value: string, data: unknown, gpo: string, file: string) {
    const k = normaliseKey(key);
    if (!this.keys.has(k)) return;
    const map = this.values.get(k) ?? new Map<string, RegValue>();
    map.set(value.toLowerCase(), { data, gpo, file });
    this.values.set(k, map);
    this.touched.set(`${k}\n${value.toLowerCase()}`, { gpo, seq: this.seq++ });
  }
  deleteValue(key: string, value: string, gpo: string) {
    const k = normaliseKey(key);
    if (!this.keys.has(k)) return;
    this.values.get(k)?.delete(value.toLowerCase());
    this.touched.set(`${k}\n${value.toLowerCase()}`, { gpo, seq: this.seq++ });
  }
  /** **delvals. (the key's values) or **DeleteKeys (the key and its subkeys). */
  deleteAll(key: string, gpo: string, subkeys: boolean) {
    const k = normaliseKey(key);
    for (const name of this.keys) {
      if (name !== k && !(subkeys && name.startsWith(`${k}\\`))) continue;
      this.values.delete(name);
      this.touched.set(`${name}\n*`, { gpo, seq: this.seq++ });
    }
  }
  get(key: string, value: string): RegValue | undefined {
    return this.values.get(normaliseKey(key))?.get(value.toLowerCase());
  }
  /** The GPO that last set or deleted this value (directly or by clearing its key). */
  toucher(key: string, value: string): string | undefined {
    const k = normaliseKey(key);
    const one = this.touched.get(`${k}\n${value.toLowerCase()}`);
    const all = this.touched.get(`${k}\n*`);
    return (one && all ? (one.seq > all.seq ? one : all) : (one ?? all))?.gpo;
  }
}

/** The registry keys anything here reads. */
function keysRead(catalog: Catalog): Set<string> {
  const keys = new Set(catalog.policies.flatMap((p) => p.registry.map((r) => normaliseKey(r.key))));
  for (const log of CLASSIC_LOGS) keys.add(normaliseKey(`HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\${log}`));
  return keys;
}

export function hostFromGpos(gpos: GpoInput[], catalog: Catalog): HostEnvironment {
  const names = gpos.map((g) => g.name);
  const host = emptyHost(`GPO: ${names.join(' + ')}`);
  for (const g of gpos) host.files.push(...g.files);
  for (const g of gpos) host.notes.push(...g.notes);
  if (gpos.length > 1)
    host.notes.push(
      `--gpo: ${gpos.length} GPOs in link order (first given = link order 1 = highest precedence): ${names.map((n, i) => `${i + 1}. ${n}`).join(', ')}`,
    );

  const settings: GpresultSettings = {
    computer: host.name,
    advanced: new Map(),
    legacy: new Map(),
    eventLogs: new Map(),
    policies: new Map(),
    auditGpos: [],
    domainGpos: names,
    notes: [],
  };
  const reg = new Registry(keysRead(catalog));
  const reportPolicies = new Map<string, { gpo: string; enabled: boolean; detail?: string; coversAll?: boolean }>();
  /** GPOs whose registry.pol was cut short or could not be read, with why: what it sets is unknown. */
  const partialPol = new Map<string, string>();
  const auditGpos = new Set<string>();
  const said = new Map<string, { gpo: string; value: string }>(); // first (highest) GPO's audit value, for conflict notes
  const conflict = (what: string, gpo: string, value: string) => {
    const prev = said.get(what);
    if (prev && prev.value !== value)
      host.notes.push(`--gpo: ${what}: ${prev.gpo} (higher precedence) sets ${prev.value}, ${gpo} sets ${value}; ${prev.gpo} wins`);
    if (!prev) said.set(what, { gpo, value });
  };

  // Lowest precedence first, so that a higher one overwrites it.
  for (const g of [...gpos].reverse()) {
    if (g.computerDisabled) continue;
    if (g.report) {
      const r = g.report;
      for (const [k, v] of r.advanced) settings.advanced.set(k, v);
      for (const [k, v] of r.legacy) settings.legacy.set(k, v);
      for (const [k, v] of r.eventLogs) settings.eventLogs.set(k, { ...settings.eventLogs.get(k), ...v });
      for (const [k, v] of r.policies) reportPolicies.set(k, v);
      if (r.forceSubcategories !== undefined) settings.forceSubcategories = r.forceSubcategories;
      if (r.advanced.size || r.legacy.size) auditGpos.add(g.name);
      continue;
    }
    const audit = g.audit?.parsed;
    for (const [guid, value] of audit?.values ?? []) settings.advanced.set(guid, { value, gpo: g.name });
    for (const [kind, sddl] of audit?.globalSacl ?? [])
      host.sacl.set(kind, {
        state: 'on',
        source: `${LABEL} (GPO ${g.name}, audit.csv): ${kind === 'file' ? 'File' : 'Registry'}GlobalSacl ${sddl.slice(0, 60)}`,
      });
    const inf = g.inf?.parsed;
    for (const [key, l] of inf?.legacy ?? []) settings.legacy.set(key, { ...l, gpo: g.name });
    for (const [log, l] of inf?.eventLogs ?? []) settings.eventLogs.set(log, { ...settings.eventLogs.get(log), ...l, gpo: g.name });
    if (audit?.values.size || inf?.legacy.size) auditGpos.add(g.name);
    for (const r of inf?.registry ?? []) {
      if (/\\Control\\Lsa$/i.test(r.key) && /^SCENoApplyLegacyAuditPolicy$/i.test(r.value)) settings.forceSubcategories = String(r.data) === '1';
      reg.set(r.key, r.value, r.data, g.name, 'GptTmpl.inf');
    }
    if (g.pol) replayPol(host, reg, g, partialPol);
    if (g.unreadable.includes('registry.pol')) partialPol.set(g.name, 'could not be read');
  }
  // Conflict notes, highest precedence first.
  for (const g of gpos) {
    if (g.computerDisabled) continue;
    const values = g.report?.advanced ?? new Map([...(g.audit?.parsed.values ?? [])].map(([k, v]) => [k, { value: v }]));
    for (const [guid, v] of values)
      conflict(catalog.subcategory(guid)?.name ?? guid, g.name, ['No Auditing', 'Success', 'Failure', 'Success and Failure'][v.value] ?? String(v.value));
  }
  settings.auditGpos = [...auditGpos].sort();

  applyGpresult(host, settings, LABEL, catalog);
  const notSet = `not set by ${gpos.length > 1 ? `GPOs ${names.join(', ')}` : `GPO ${names[0]}`}`;
  for (const [guid, v] of host.audit)
    if (v.inferred) host.audit.set(guid, { ...v, source: `${notSet}: advanced audit policy from Group Policy clears what it leaves out (No Auditing)` });
  forgetUnreadAudit(host, gpos, settings, catalog);
  host.management = { kind: 'domain-gpo', source: `${LABEL}: GPO ${names.join(', ')} (settings a domain GPO refresh puts back)` };
  applyPolicies(host, gpos, reg, reportPolicies, partialPol, notSet, catalog);
  applyTemplateLogSizes(host, reg);
  return host;
}

/**
 * A GPO whose audit.csv or GptTmpl.inf could not be read may set any subcategory: each one not decided by a
 * GPO of higher precedence is unknown (sides undefined, the reason naming the file), never "No Auditing".
 */
function forgetUnreadAudit(host: HostEnvironment, gpos: GpoInput[], settings: GpresultSettings, catalog: Catalog): void {
  const at = gpos.findIndex((g) => !g.computerDisabled && g.unreadable.some((k) => k !== 'registry.pol'));
  const lost = gpos[at];
  if (!lost) return;
  const higher = new Set(gpos.slice(0, at).map((g) => g.name));
  const files = lost.unreadable.filter((k) => k !== 'registry.pol').join(' and ');
  for (const sub of catalog.subcategories) {
    const legacy = catalog.auditCategories.find((c) => c.name === sub.category)?.legacySetting;
    const by = settings.advanced.get(sub.guid)?.gpo ?? (legacy ? settings.legacy.get(legacy)?.gpo : undefined);
    if (by !== undefined && higher.has(by)) continue;
    host.audit.set(sub.guid, { source: `the ${files} of GPO ${lost.name} could not be read, and it may set this subcategory` });
  }
}

/** One GPO's registry.pol entries over what lower GPOs left. */
function replayPol(host: HostEnvironment, reg: Registry, g: GpoInput, partial: Map<string, string>): void {
  const pol = g.pol!.parsed;
  if (pol.partial) partial.set(g.name, 'was read only in part');
  let unknown = 0;
  let firstUnknown = '';
  for (const e of pol.entries) {
    const key = `HKLM\\${e.key}`;
    const v = e.value;
    const lower = v.toLowerCase();
    if (lower.startsWith('**del.')) reg.deleteValue(key, v.slice(6), g.name);
    else if (lower === '**delvals.') reg.deleteAll(key, g.name, false);
    else if (lower === '**deletevalues') for (const name of String(e.data).split(';').filter(Boolean)) reg.deleteValue(key, name, g.name);
    else if (lower === '**deletekeys') for (const sub of String(e.data).split(';').filter(Boolean)) reg.deleteAll(`${key}\\${sub}`, g.name, true);
    else if (lower === '**securekey')
      continue; // a marker for the key's security, sets no value
    else if (lower.startsWith('**')) {
      firstUnknown ||= `${e.key}\\${v}`.slice(0, 120);
      unknown++;
    } else reg.set(key, v, e.data, g.name, `registry.pol, ${typeName(e.type)}`);
  }
  if (unknown)
    host.notes.push(
      `--gpo: ${g.name} registry.pol: ${unknown} entr${unknown === 1 ? 'y' : 'ies'} with a special name logsource-check does not know (${firstUnknown}${unknown > 1 ? ' …' : ''}); ignored`,
    );
}

function applyPolicies(
  host: HostEnvironment,
  gpos: GpoInput[],
  reg: Registry,
  fromReports: Map<string, { gpo: string; enabled: boolean; detail?: string; coversAll?: boolean }>,
  partialPol: Map<string, string>,
  notSet: string,
  catalog: Catalog,
): void {
  const rank = new Map(gpos.map((g, i) => [g.name, i]));
  for (const p of catalog.policies) {
    const found = p.registry.map((r) => ({ r, v: reg.get(r.key, r.value) }));
    const touchers = p.registry.map((r) => reg.toucher(r.key, r.value)).filter((x): x is string => x !== undefined);
    const report = fromReports.get(p.id);
    // The highest-precedence GPO that says anything about this policy decides it.
    const winner = [...touchers, ...(report ? [report.gpo] : [])].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))[0];
    // A registry.pol read only in part may set or delete the value after the cut, unless a higher GPO decides it.
    const cut = [...partialPol.keys()].find((name) => winner === undefined || (rank.get(name) ?? 0) <= (rank.get(winner) ?? 0));
    if (cut) {
      (host.policyGaps ??= new Map()).set(
        p.id,
        `the registry.pol of GPO ${cut} ${partialPol.get(cut)}, and what it sets for ${p.registry[0]?.value ?? p.name} ${partialPol.get(cut) === 'could not be read' ? 'is' : 'after that point is'} unknown`,
      );
      host.policies.delete(p.id);
      continue;
    }
    if (report && winner === report.gpo && !touchers.includes(report.gpo)) {
      host.policies.set(p.id, {
        state: report.enabled && report.coversAll !== false ? 'on' : 'off',
        source: `${LABEL} (GPO ${report.gpo}, report)`,
        detail: report.detail,
      });
      continue;
    }
    if (winner === undefined) {
      host.policies.set(p.id, { state: 'off', source: `${notSet} (not configured: disabled by default)` });
      continue;
    }
    const on = registryPolicyOn(found);
    const set = found.find((x) => x.v)?.v;
    let detail: string | undefined;
    if (!on && /module-logging$/.test(p.id) && found[0]?.v && String(found[0].v.data) === String(found[0].r.data)) {
      const names = [...(reg.values.get(normaliseKey(found[1]?.r.key ?? '')) ?? new Map()).keys()];
      detail = names.length ? `module logging covers only ${names.join(', ')} (rules need "*")` : 'module logging names no module (rules need "*")';
    }
    const leaf = (key: string) => key.slice(key.lastIndexOf('\\') + 1);
    const wrong = found
      .filter((x) => !x.v || String(x.v.data) !== String(x.r.data))
      .map((x) => `${leaf(x.r.key)}\\${x.r.value} ${x.v ? `is ${String(x.v.data)}` : 'is not set'} (needs ${String(x.r.data)})`);
    const how = on
      ? `${set?.file}`
      : set
        ? `${set.file.split(',')[0]}: ${wrong.join('; ')}`
        : `registry.pol deletes ${p.registry.map((r) => r.value).join(', ')}: disabled`;
    host.policies.set(p.id, { state: on ? 'on' : 'off', source: `${LABEL} (GPO ${winner}, ${how})`, detail });
  }
}

/** "Specify the maximum log file size (KB)" (EventLog\<log>\MaxSize) set by the GPOs, over the Security Settings size. */
function applyTemplateLogSizes(host: HostEnvironment, reg: Registry): void {
  for (const [key, values] of reg.values) {
    const log = templateLog(key);
    const size = values.get('maxsize');
    if (!log || typeof size?.data !== 'number') continue;
    const policy = `GPO ${size.gpo}: the administrative template "Specify the maximum log file size (KB)" (Windows Components > Event Log Service > ${log})`;
    host.eventLogs.set(log, {
      log,
      maxSizeKB: size.data,
      retention: host.eventLogs.get(log)?.retention,
      source: `${LABEL} (GPO ${size.gpo}, registry.pol)`,
      policy,
    });
  }
}
