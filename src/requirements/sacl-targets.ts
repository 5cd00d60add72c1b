/**
 * Which registry keys and folders a rule set watches, from the rules' TargetObject / ObjectName /
 * TargetFilename values: what the SACL script sets (generate/sacl-script.ts), what the collection script reads
 * and what assessment compares with a host's SACLs. How a value becomes a key or a folder:
 *
 * Registry SACLs sit on keys, never on values. A rule's TargetObject / ObjectName is turned into a key so:
 *  - text followed by "\" (a trailing "\" or "\*") ends in a whole key name: that key;
 *  - Security's ObjectName (4656/4657/4663) is the key (the value name is ObjectValueName): that key;
 *  - Sysmon 13 (registry_set) writes key\value: an exact or endswith value ends in a value name, so the key is
 *    its parent ("values turned into keys");
 *  - Sysmon 12 key creation (registry_add): the key does not exist before the event; creating it is an access
 *    to its parent, so the parent;
 *  - any other last name (contains/startswith cut mid-name, or registry_event/registry_delete, which mix keys
 *    and values) may be a value or part of a name: the parent, whose inherited entry covers it either way.
 *    Under a broad tree the parent cannot be inherited, so a whole-word name there (…\CurrentVersion\Run) is
 *    taken as the key it names; a fragment ("Classes\.", "RunOnce\{") is skipped and counted.
 * A key or folder the catalog marks broad (data/sacl-scope.yaml) gets its entry with InheritanceFlags None.
 */
import type { BroadPath, SaclScope } from '../catalog/sacl-scope.js';
import type { Catalog } from '../catalog/catalog.js';
import { positiveTests } from '../rules/detection-model.js';
import type { LoadedRule, SigmaRule } from '../rules/model.js';

export interface SaclEntry {
  /** HKLM:\… key or C:\… folder, as the script writes it. */
  path: string;
  /** false: the catalog marks this tree broad; the entry audits the key or folder itself only. */
  inherit: boolean;
  /** The broad tree's reason (from the catalog) when not inherited. */
  broad?: string;
  /** RegistryRights / FileSystemRights names the rules need. */
  rights: Set<string>;
  /** Some rule reads the failure events (its alternative asks for the subcategory's Failure too). */
  failure: boolean;
  titles: Set<string>;
}

export interface SaclTargets {
  /** Keyed by the lower-cased path (the registry and NTFS paths are case-insensitive). */
  registry: Map<string, SaclEntry>;
  file: Map<string, SaclEntry>;
  /** Rule values no key or folder could be derived from (wildcards in the middle, no root, a fragment …). */
  skipped: number;
  /** Rule values that name a registry value (or part of a name): audited on their parent key instead. */
  valuesToKeys: number;
}

/** One rule value turned into a target. */
interface Derived {
  kind: 'registry' | 'file';
  path: string;
  rights: string[];
  fromValue: boolean;
}

export const ALL_REG_RIGHTS = ['SetValue', 'CreateSubKey', 'Delete'];
export const ALL_FILE_RIGHTS = ['WriteData', 'AppendData', 'Delete'];

/** Registry roots as rules write them (Sysmon's HKLM\…, 4657's \REGISTRY\MACHINE\…, or a path with no root). */
const REG_ROOTS: [RegExp, string][] = [
  [/^(hklm|hkey_local_machine|\\registry\\machine)\\(software|system)\\/i, 'HKLM:\\$2\\'],
  [/^(hklm|hkey_local_machine|\\registry\\machine)\\/i, 'HKLM:\\'],
  [/^\\?(software|system)\\/i, 'HKLM:\\$1\\'],
  [/^\\?currentcontrolset\\/i, 'HKLM:\\SYSTEM\\CurrentControlSet\\'],
  [/^\\?(control|services)\\/i, 'HKLM:\\SYSTEM\\CurrentControlSet\\$1\\'],
  // Relative paths SigmaHQ writes for machine-wide autostart keys (the script skips keys that do not exist).
  [/^\\?microsoft\\/i, 'HKLM:\\SOFTWARE\\Microsoft\\'],
  [/^\\?currentversion\\/i, 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\'],
];

type RegContext = 'value' | 'key' | 'created-key' | 'mixed';

/** What the rule's TargetObject / ObjectName names, from its log source (see the header). */
function regContext(r: SigmaRule): { ctx: RegContext; rights: string[] } {
  const cat = r.logsource.category?.toLowerCase();
  if (cat === 'registry_set') return { ctx: 'value', rights: ['SetValue'] };
  if (cat === 'registry_add') return { ctx: 'created-key', rights: ['CreateSubKey'] };
  // Deleting a value needs KEY_SET_VALUE; deleting a key, DELETE on it.
  if (cat === 'registry_delete') return { ctx: 'mixed', rights: ['SetValue', 'Delete'] };
  if (cat === 'registry_event') return { ctx: 'mixed', rights: ALL_REG_RIGHTS };
  if (r.logsource.service?.toLowerCase() === 'security')
    return { ctx: 'key', rights: r.facts.eventIds.length && r.facts.eventIds.every((id) => id === 4657) ? ['SetValue'] : ALL_REG_RIGHTS };
  return { ctx: 'mixed', rights: ALL_REG_RIGHTS };
}

function fileRights(r: SigmaRule): string[] {
  const cat = r.logsource.category?.toLowerCase();
  if (cat === 'file_event') return ['WriteData', 'AppendData'];
  if (cat === 'file_delete') return ['Delete'];
  return ALL_FILE_RIGHTS;
}

/** Per rule, its targets before any scope decision: computed once, reused for every host. */
const derivedCache = new WeakMap<SigmaRule, { reg: (Derived | Candidate | '')[]; file: { t: Derived | ''; objectName: boolean }[] }>();

/** A name that is a key only if the parent turns out broad (see the header). */
interface Candidate {
  kind: 'candidate';
  parent: string;
  name: string;
  rights: string[];
}

function derive(r: SigmaRule) {
  let d = derivedCache.get(r);
  if (d) return d;
  d = { reg: [] as (Derived | Candidate | '')[], file: [] as { t: Derived | ''; objectName: boolean }[] };
  const { ctx, rights } = regContext(r);
  // Only selections the condition uses positively: a filter's keys are the ones the rule does NOT want.
  for (const test of positiveTests(r)) {
    const f = test.fieldLower;
    const { modifiers } = test;
    for (const value of test.values) {
      if (typeof value !== 'string') continue;
      // ObjectName names a key or a file: a rule that needs registry SACLs reads it as a key (as before).
      if (f === 'targetobject' || f === 'objectname') d.reg.push(registryTarget(value, modifiers, ctx, rights));
      if (f === 'targetfilename' || f === 'objectname') d.file.push({ t: folder(value, modifiers, fileRights(r)), objectName: f === 'objectname' });
    }
  }
  derivedCache.set(r, d);
  return d;
}

/** Keys and folders from the rules' TargetObject / ObjectName / TargetFilename values, per rule title. */
export function saclTargets(
  rules: LoadedRule[],
  needs: { registry: Set<SigmaRule>; file: Set<SigmaRule>; failure?: Set<SigmaRule> },
  scope: SaclScope,
): SaclTargets {
  const out: SaclTargets = { registry: new Map(), file: new Map(), skipped: 0, valuesToKeys: 0 };
  const broadReg = broadLookup(scope.registry.map((b) => ({ ...b, path: b.path.replace(/^HKLM\\/i, 'HKLM:\\') })));
  const broadDir = broadLookup(scope.folders);
  let failure = false;
  const add = (map: Map<string, SaclEntry>, broad: Broad, path: string, rights: string[], title: string) => {
    const k = path.toLowerCase();
    let e = map.get(k);
    if (!e) {
      const reason = broad.get(k);
      map.set(
        k,
        (e = { path, inherit: reason === undefined, ...(reason !== undefined ? { broad: reason } : {}), rights: new Set(), titles: new Set(), failure: false }),
      );
    }
    for (const x of rights) e.rights.add(x);
    e.titles.add(title);
    e.failure ||= failure;
  };
  for (const r of rules) {
    if (r.kind !== 'rule') continue;
    failure = needs.failure?.has(r) ?? false;
    const reg = needs.registry.has(r);
    const file = needs.file.has(r);
    if (!reg && !file) continue;
    const d = derive(r);
    if (reg) {
      for (const t of d.reg) {
        if (t === '') out.skipped++;
        else if ('parent' in t) {
          // A value or part of a name: its parent, inherited; under a broad parent only a whole-word name, as a key.
          if (broadReg.get(t.parent.toLowerCase()) === undefined) {
            out.valuesToKeys++;
            add(out.registry, broadReg, t.parent, t.rights, r.title);
          } else if (/^[A-Za-z0-9][\w .-]*[A-Za-z0-9]$/.test(t.name)) add(out.registry, broadReg, `${t.parent}\\${t.name}`, t.rights, r.title);
          else out.skipped++;
        } else {
          if (t.fromValue) out.valuesToKeys++;
          add(out.registry, broadReg, t.path, t.rights, r.title);
        }
      }
    }
    if (file) {
      for (const { t, objectName } of d.file) {
        if (objectName && reg) continue;
        if (t === '') out.skipped++;
        else add(out.file, broadDir, t.path, t.rights, r.title);
      }
    }
  }
  return out;
}

/** The catalog's reason when a path is broad: listed itself, or below a tree listed with subtree: true. */
interface Broad {
  get(lowerPath: string): string | undefined;
}

function broadLookup(list: BroadPath[]): Broad {
  const exact = new Map(list.map((b) => [b.path.toLowerCase(), b.reason]));
  const trees = list.filter((b) => b.subtree).map((b) => ({ prefix: `${b.path.toLowerCase()}\\`, reason: b.reason }));
  return { get: (p) => exact.get(p) ?? trees.find((t) => p.startsWith(t.prefix))?.reason };
}

/** The key to audit for one TargetObject / ObjectName value (see the header); '' when none can be derived. */
function registryTarget(value: string, modifiers: string[], ctx: RegContext, rights: string[]): Derived | Candidate | '' {
  if (modifiers.some((m) => m === 're' || m.startsWith('base64') || m === 'cidr')) return '';
  let v = value.trim();
  const star = v.search(/[*?]/);
  if (star >= 0) v = v.slice(0, star);
  const root = REG_ROOTS.find(([re]) => re.test(v));
  if (!root) return '';
  v = v.replace(root[0], root[1]).replace(/^HKLM:\\(software|system)\\/i, (_m, hive: string) => `HKLM:\\${hive.toUpperCase()}\\`);
  const wholeKey = v.endsWith('\\');
  const parts = v.split('\\').filter(Boolean);
  if (/[\u0000-\u001f'`$]/.test(parts.join(''))) return '';
  // The last name is whole unless a wildcard or contains/startswith cuts it.
  const cut = star >= 0 || modifiers.includes('contains') || modifiers.includes('startswith');
  if (!wholeKey && !(ctx === 'key' && !cut)) {
    const name = parts.pop() ?? '';
    // A hive root (HKLM:\SOFTWARE) is never audited: it would be a global SACL in disguise. Its own trees
    // (SOFTWARE\Microsoft, SYSTEM\CurrentControlSet …) are broad in data/sacl-scope.yaml.
    if (parts.length < 3) return '';
    const parent = parts.join('\\');
    // A whole value name (registry_set exact/endswith, or Sysmon's "(Default)") or a key about to be created.
    if ((ctx === 'value' && !cut) || ctx === 'created-key' || /^\(default\)$/i.test(name))
      return { kind: 'registry', path: parent, rights, fromValue: ctx !== 'created-key' };
    return { kind: 'candidate', parent, name, rights };
  }
  if (parts.length < 3) return '';
  return { kind: 'registry', path: parts.join('\\'), rights, fromValue: false };
}

/** The folder to audit for a TargetFilename value: only absolute paths with a drive or an environment root. */
function folder(value: string, modifiers: string[], rights: string[]): Derived | '' {
  if (modifiers.some((m) => m === 're' || m.startsWith('base64'))) return '';
  let v = value.trim();
  const star = v.search(/[*?]/);
  if (star >= 0) v = v.slice(0, star);
  if (!/^[a-z]:\\/i.test(v) && !/^%(systemroot|windir|programdata|programfiles)%\\/i.test(v)) return '';
  const parts = v.split('\\').filter(Boolean);
  parts.pop();
  if (parts.length < 2) return '';
  if (/[\u0000-\u001f'`$]/.test(parts.join(''))) return '';
  const path = parts
    .join('\\')
    .replace(/^%systemroot%|^%windir%/i, 'C:\\Windows')
    .replace(/^%programdata%/i, 'C:\\ProgramData')
    .replace(/^%programfiles%/i, 'C:\\Program Files');
  return { kind: 'file', path, rights, fromValue: false };
}

/** Entries the script writes: one Add-*Audit line each. */
export function saclEntryCount(t: SaclTargets): number {
  return t.registry.size + t.file.size;
}

export interface SaclNeeds {
  registry: Set<SigmaRule>;
  file: Set<SigmaRule>;
  failure: Set<SigmaRule>;
}

/** Which object SACLs one rule needs, from its alternatives (requirement ids): the same test fix applies. */
export function ruleSaclNeeds(alternatives: readonly (readonly string[])[], catalog: Catalog): { registry: boolean; file: boolean; failure: boolean } {
  const failureIds = failureIdsOf(catalog);
  const registry = alternatives.some((a) => a.includes('sacl:registry') || a.includes('sacl:registry:failure'));
  const file = alternatives.some((a) => a.includes('sacl:file') || a.includes('sacl:file:failure'));
  // A rule that needs the SACL's failure side (4656), or whose SACL alternative also asks for the subcategory's
  // Failure, reads failed accesses too.
  const failure = alternatives.some(
    (a) =>
      a.some((id) => /^sacl:(registry|file):failure$/.test(id)) ||
      (a.some((id) => id === 'sacl:registry' || id === 'sacl:file') && a.some((id) => failureIds.has(id))),
  );
  return { registry, file, failure };
}

const failureCache = new WeakMap<Catalog, Set<string>>();
function failureIdsOf(catalog: Catalog): Set<string> {
  let s = failureCache.get(catalog);
  if (!s)
    failureCache.set(
      catalog,
      (s = new Set(catalog.subcategories.filter((x) => x.sacl === 'registry' || x.sacl === 'file').map((x) => `audit:${x.guid}:failure`))),
    );
  return s;
}

/** The keys and folders a whole rule set watches (rules[i] and rows[i] are the same rule). */
export function watchedTargets(rules: readonly LoadedRule[], rows: readonly { alternatives: string[][] }[], catalog: Catalog): SaclTargets {
  const needs: SaclNeeds = { registry: new Set(), file: new Set(), failure: new Set() };
  rules.forEach((rule, i) => {
    if (rule.kind !== 'rule') return;
    const n = ruleSaclNeeds(rows[i]?.alternatives ?? [], catalog);
    if (n.registry) needs.registry.add(rule);
    if (n.file) needs.file.add(rule);
    if (n.failure) needs.failure.add(rule);
  });
  return saclTargets(rules as LoadedRule[], needs, catalog.saclScope);
}
