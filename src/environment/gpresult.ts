/**
 * `gpresult /x` (RSoP XML). Only ComputerResults count: audit policy and the logging policies we check are
 * computer settings. Every setting element carries a <Precedence>; where several GPOs set one item, the
 * entry with Precedence 1 is the one in force.
 */
import type { Catalog } from '../catalog/catalog.js';
import { kids, parseXml, text, type XmlNode } from './xml.js';

/** The settings one gpresult file configures, before legacy/advanced precedence is worked out. */
export interface GpresultSettings {
  computer: string;
  /** Advanced audit by upper-case GUID: SettingValue 0 none, 1 success, 2 failure, 3 both. */
  advanced: Map<string, { value: number; gpo: string }>;
  /** Legacy categories by secedit key (AuditLogonEvents …). */
  legacy: Map<string, { success: boolean; failure: boolean; gpo: string }>;
  /** "Audit: Force audit policy subcategory settings …" (SCENoApplyLegacyAuditPolicy); undefined when not set. */
  forceSubcategories?: boolean;
  /** template: set by the administrative template (Event Log Service), which wins over Security Settings > Event Log. */
  eventLogs: Map<string, { maxSizeKB?: number; retention?: number; gpo: string; template?: boolean }>;
  /** Domain controller or member, from the computer's groups and OU (undefined when neither tells). */
  role?: { kind: 'domain-controller' | 'member' | 'standalone'; evidence: string };
  /** GPOs that configure audit policy (advanced or legacy): a GPO refresh reverts local auditpol changes. */
  auditGpos: string[];
  /** GPOs applied from a domain (not local policy), by name: none means no domain GPO manages the host. */
  domainGpos: string[];
  /** ComputerResults <Domain>. */
  computerDomain?: string;
  /** Registry policies we know, by slug. */
  policies: Map<string, { enabled: boolean; gpo: string; detail?: string; coversAll?: boolean }>;
  notes: string[];
}

interface Winner<T> {
  precedence: number;
  value: T;
}

export function parseGpresult(xmlText: string, catalog: Catalog): GpresultSettings {
  const doc = parseXml(xmlText);
  const rsop = kids(doc, 'Rsop')[0];
  if (!rsop)
    throw new Error(
      kids(doc, 'GPO').length
        ? 'not a gpresult /x file: this is a GPO report (Get-GPOReport, <GPO> root); give it with --gpo'
        : 'not a gpresult /x file (no <Rsop> root element)',
    );
  const computer = kids(rsop, 'ComputerResults')[0];
  if (!computer) throw new Error('no <ComputerResults>: run "gpresult /x" from an elevated prompt to include computer settings');

  const gpoNames = new Map<string, string>();
  const domainGpos: string[] = [];
  const applied = new Set<string>();
  for (const gpo of kids(computer, 'GPO')) {
    // A GPO from the domain names its domain in <Path>; local policy links to SOM "Local". Denied or filtered ones did not apply.
    const fromDomain = text(kids(gpo, 'Path')[0], 'Domain') !== undefined || kids(gpo, 'Link').some((l) => (text(l, 'SOMPath') ?? 'Local') !== 'Local');
    if (fromDomain && text(gpo, 'AccessDenied') !== 'true' && text(gpo, 'FilterAllowed') !== 'false') domainGpos.push(text(gpo, 'Name') ?? 'unnamed GPO');
    const id = text(kids(gpo, 'Path')[0], 'Identifier') ?? text(gpo, 'Identifier');
    const name = text(gpo, 'Name');
    if (id && name) gpoNames.set(id.toUpperCase(), name);
    if (id && fromDomain && text(gpo, 'AccessDenied') !== 'true' && text(gpo, 'FilterAllowed') !== 'false') applied.add(id.toUpperCase());
  }
  const gpoOf = (setting: XmlNode): string => {
    const id = text(kids(setting, 'GPO')[0], 'Identifier');
    return (id && gpoNames.get(id.toUpperCase())) ?? id ?? 'unknown GPO';
  };

  const out: GpresultSettings = {
    computer: text(computer, 'Name') ?? '',
    advanced: new Map(),
    legacy: new Map(),
    eventLogs: new Map(),
    policies: new Map(),
    auditGpos: [],
    domainGpos,
    computerDomain: text(computer, 'Domain'),
    notes: [],
  };
  out.role = roleOf(computer, applied, out.computer, out.computerDomain);
  readComputerExtensions(computer, catalog, gpoOf, out);
  return out;
}

/**
 * The settings in a computer section's <ExtensionData> (AuditSettings, SecuritySettings, Registry): the same
 * schemas in gpresult's <ComputerResults> and in a GPO report's <Computer> (Get-GPOReport, a GPMC backup's
 * gpreport.xml), which has no <Precedence> (every setting is precedence 1) and no per-setting GPO.
 */
export function readComputerExtensions(computer: XmlNode, catalog: Catalog, gpoOf: (setting: XmlNode) => string, out: GpresultSettings): void {
  const advanced = new Map<string, Winner<{ value: number; gpo: string }>>();
  const legacy = new Map<string, Winner<{ success: boolean; failure: boolean; gpo: string }>>();
  const logs = new Map<string, Winner<{ maxSizeKB?: number; gpo: string }>>();
  const retention = new Map<string, Winner<number>>();
  const tplLogs = new Map<string, Winner<{ maxSizeKB?: number; gpo: string }>>();
  const tplRetention = new Map<string, Winner<number>>();
  const policies = new Map<string, Winner<{ enabled: boolean; gpo: string; detail?: string; coversAll?: boolean }>>();
  let force: Winner<boolean> | undefined;

  const keep = <T>(map: Map<string, Winner<T>>, key: string, precedence: number, value: T) => {
    const cur = map.get(key);
    if (!cur || precedence < cur.precedence) map.set(key, { precedence, value });
  };
  const precedenceOf = (s: XmlNode) => Number(text(s, 'Precedence') ?? '1') || 1;
  const knownPolicies = policyIndex(catalog);

  for (const ext of kids(computer, 'ExtensionData').flatMap((d) => kids(d, 'Extension'))) {
    for (const s of kids(ext, 'AuditSetting')) {
      const guid = text(s, 'SubcategoryGuid')?.toUpperCase();
      const value = Number(text(s, 'SettingValue'));
      if (!guid || !Number.isInteger(value) || value < 0 || value > 3) {
        out.notes.push(`advanced audit setting "${text(s, 'SubcategoryName') ?? guid}" has no usable GUID or value; ignored`);
        continue;
      }
      const normal = guid.startsWith('{') ? guid : `{${guid}}`;
      if (!catalog.subcategory(normal)) out.notes.push(`advanced audit subcategory ${normal} is not in the catalog; ignored`);
      else keep(advanced, normal, precedenceOf(s), { value, gpo: gpoOf(s) });
    }
    for (const s of kids(ext, 'Audit')) {
      const name = text(s, 'Name');
      if (!name) continue;
      keep(legacy, name, precedenceOf(s), { success: text(s, 'SuccessAttempts') === 'true', failure: text(s, 'FailureAttempts') === 'true', gpo: gpoOf(s) });
    }
    for (const s of kids(ext, 'SecurityOptions')) {
      if (!/\\SCENoApplyLegacyAuditPolicy$/i.test(text(s, 'KeyName') ?? '')) continue;
      const n = text(s, 'SettingNumber') ?? text(kids(s, 'Display')[0], 'DisplayBoolean');
      const p = precedenceOf(s);
      if (!force || p < force.precedence) force = { precedence: p, value: n === '1' || n === 'true' };
    }
    for (const s of kids(ext, 'EventLog')) {
      const log = text(s, 'Log');
      if (log && text(s, 'Name') === 'AuditLogRetentionPeriod') {
        const n = Number(text(s, 'SettingNumber'));
        if (Number.isInteger(n)) keep(retention, log, precedenceOf(s), n);
      }
      if (!log || text(s, 'Name') !== 'MaximumLogSize') continue;
      const kb = Number(text(s, 'SettingNumber'));
      keep(logs, log, precedenceOf(s), { maxSizeKB: Number.isFinite(kb) ? kb : undefined, gpo: gpoOf(s) });
    }
    for (const s of kids(ext, 'Policy')) {
      const name = text(s, 'Name') ?? '';
      const category = text(s, 'Category') ?? '';
      // Windows Components > Event Log Service > <log>: size (KB) and "Control Event Log behavior" (eventlog.admx;
      // data/eventlog.yaml). Enabled behaviour = new events are not written when full (never overwrite).
      const el = /^Windows Components\/Event Log Service\/(Application|Security|Setup|System)$/i.exec(category);
      if (el) {
        const log = logName(el[1]!);
        const state = text(s, 'State');
        if (/^Specify the maximum log file size/i.test(name) && state === 'Enabled') {
          const kb = Number(text(kids(s, 'Numeric')[0], 'Value'));
          if (Number.isFinite(kb)) keep(tplLogs, log, precedenceOf(s), { maxSizeKB: kb, gpo: gpoOf(s) });
        } else if (/^Control Event Log behavior/i.test(name) && (state === 'Enabled' || state === 'Disabled')) {
          keep(tplRetention, log, precedenceOf(s), state === 'Enabled' ? 2 : 0);
        }
        continue;
      }
      const slug = knownPolicies.byKey.get(policyKey(category, name));
      if (!slug) {
        if (knownPolicies.categories.has(category.toLowerCase())) out.notes.push(`policy "${name}" in "${category}" is not one logsource-check knows; ignored`);
        continue;
      }
      const state = text(s, 'State');
      const enabled = state === 'Enabled';
      let detail: string | undefined;
      let coversAll: boolean | undefined;
      if (enabled && /module-logging$/.test(slug)) {
        const modules = kids(s, 'ListBox')
          .flatMap((lb) => kids(lb, 'Value'))
          .flatMap((v) => kids(v, 'Element'))
          .map((e) => text(e, 'Data') ?? '');
        coversAll = modules.includes('*');
        if (!coversAll)
          detail = modules.length ? `module logging covers only ${modules.join(', ')} (rules need "*")` : 'module logging names no module (rules need "*")';
      }
      keep(policies, slug, precedenceOf(s), { enabled, gpo: gpoOf(s), detail, coversAll });
    }
  }

  out.auditGpos = [...new Set([...advanced.values(), ...legacy.values()].map((w) => w.value.gpo))].sort();
  for (const [k, w] of advanced) out.advanced.set(k, w.value);
  for (const [k, w] of legacy) out.legacy.set(k, w.value);
  for (const [k, w] of logs) out.eventLogs.set(k, w.value);
  for (const [k, w] of retention) out.eventLogs.set(k, { gpo: '', ...out.eventLogs.get(k), retention: w.value });
  // The administrative template writes HKLM\SOFTWARE\Policies\…\EventLog\<log>, which the event log service
  // reads over its own Services\EventLog key: it wins where both are set.
  for (const [k, w] of tplLogs) out.eventLogs.set(k, { ...out.eventLogs.get(k), ...w.value, template: true });
  for (const [k, w] of tplRetention) out.eventLogs.set(k, { gpo: '', ...out.eventLogs.get(k), retention: w.value });
  for (const [k, w] of policies) out.policies.set(k, w.value);
  out.forceSubcategories = force?.value;
}

/** A classic log's name as Windows writes it (Security, System …), whatever case an input used; other names as given. */
export const CLASSIC_LOGS = ['Application', 'Security', 'Setup', 'System'] as const;
export const logName = (s: string): string => CLASSIC_LOGS.find((l) => l.toLowerCase() === s.toLowerCase()) ?? s;

/** The log whose administrative-template size a (normalised, upper-case) registry key holds: …\EventLog\<log>. */
export function templateLog(key: string): string | undefined {
  const m = /^HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\WINDOWS\\EVENTLOG\\([^\\]+)$/i.exec(key);
  return m ? logName(m[1] as string) : undefined;
}

const indexes = new WeakMap<Catalog, { byKey: Map<string, string>; categories: Set<string> }>();

/** Policies are recognised by (ADMX category, setting name), as gpresult reports them (once per catalog). */
function policyIndex(catalog: Catalog): { byKey: Map<string, string>; categories: Set<string> } {
  const known = indexes.get(catalog);
  if (known) return known;
  const byKey = new Map<string, string>();
  const categories = new Set<string>();
  for (const p of catalog.policies) {
    if (!p.admxCategory) continue;
    byKey.set(policyKey(p.admxCategory, p.name), p.id);
    categories.add(p.admxCategory.toLowerCase());
  }
  indexes.set(catalog, { byKey, categories });
  return { byKey, categories };
}

function policyKey(category: string, name: string): string {
  return `${category.trim().toLowerCase()}\n${name.trim().toLowerCase()}`;
}

/**
 * Domain controllers are members of Domain Controllers (RID 516), Read-only Domain Controllers (RID 521) or
 * Enterprise Domain Controllers (S-1-5-9); other joined computers of Domain Computers (RID 515). Well-known
 * SIDs: https://learn.microsoft.com/en-us/windows-server/identity/ad-ds/manage/understand-security-identifiers
 * The computer's OU (SOM) "…/Domain Controllers" tells the same where groups are missing.
 */
function roleOf(computer: XmlNode, applied: Set<string>, name: string, domain: string | undefined): GpresultSettings['role'] {
  const sids = kids(computer, 'SecurityGroup').map((g) => (text(g, 'SID') ?? '').toUpperCase());
  const dc = sids.find((s) => s === 'S-1-5-9' || /^S-1-5-21-(\d+-){3}(516|521)$/.test(s));
  if (dc) return { kind: 'domain-controller', evidence: `member of ${dc}` };
  const som = text(computer, 'SOM') ?? '';
  if (/\/Domain Controllers$/i.test(som)) return { kind: 'domain-controller', evidence: `in ${som}` };
  // The Default Domain Controllers Policy has the same GUID in every domain (dcgpofix recreates it with that
  // GUID) and is linked to the Domain Controllers OU: a computer that applies it is a DC, whatever the language.
  if (applied.has(DDCP)) return { kind: 'domain-controller', evidence: `the Default Domain Controllers Policy ${DDCP} applied` };
  const member = sids.find((s) => /^S-1-5-21-(\d+-){3}515$/.test(s));
  if (member) return { kind: 'member', evidence: `member of Domain Computers (${member})` };
  // Not joined: gpresult names the computer's own name (or WORKGROUP) as its domain. A workgroup computer cannot
  // be a domain controller.
  const short = (name.split('\\').pop() ?? name).replace(/\$$/, '').toUpperCase();
  const prefix = name.includes('\\') ? (name.split('\\')[0] ?? '').toUpperCase() : '';
  const d = (domain ?? '').toUpperCase();
  if (d && (d === 'WORKGROUP' || d === short || (prefix && d === prefix && prefix === short)))
    return { kind: 'standalone', evidence: `domain "${domain}" is the computer itself or a workgroup: not joined` };
  return undefined;
}

/** The Default Domain Controllers Policy's fixed GUID. */
const DDCP = '{6AC1786C-016F-11D2-945F-00C04FB984F9}';
