/**
 * GPOs as inputs before they are deployed (--gpo): a GPMC backup folder (the {GUID} folder Backup-GPO and
 * the GPMC console write), a folder of such backups (a Microsoft Security Baseline "GPOs" folder), or a
 * Get-GPOReport -ReportType Xml report (root <GPO>, the format of a backup's gpreport.xml).
 *
 * From a backup the files Group Policy itself applies are read — audit.csv (advanced audit policy),
 * GptTmpl.inf (legacy audit categories, event log settings, security options) and Machine\registry.pol
 * (administrative templates) — rather than gpreport.xml, which is a rendering of them made for people.
 * Only computer settings count (audit and logging policies are computer settings). Windows file names are
 * case-insensitive, so every path segment is matched case-insensitively.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { MAX_INPUT_FILE, readBounded, readText } from '../io/decode.js';
import { errnoMessage } from '../io/files.js';
import { parseAuditpol, type AuditpolSettings } from './auditpol.js';
import { parseGptTmpl, type GptTmpl } from './gpttmpl.js';
import { readComputerExtensions, type GpresultSettings } from './gpresult.js';
import type { InputError } from './model.js';
import { parseRegistryPol, type RegistryPol } from './registry-pol.js';
import { kids, parseXml, text } from './xml.js';

export interface GpoInput {
  /** Display name (bkupInfo.xml, Backup.xml, the report's <Name>), else the folder or file name. */
  name: string;
  path: string;
  kind: 'backup' | 'report';
  /** Backup: audit.csv, GptTmpl.inf, Machine\registry.pol, each when present and readable. */
  audit?: { path: string; parsed: AuditpolSettings };
  inf?: { path: string; parsed: GptTmpl };
  pol?: { path: string; parsed: RegistryPol };
  /** Report: the settings of its <Computer> section (same schemas as gpresult). */
  report?: GpresultSettings;
  /** The computer half of the GPO is disabled: none of its computer settings apply. */
  computerDisabled?: boolean;
  /** Files the backup has but that could not be read (each an error): what they would set is unknown. */
  unreadable: ('audit.csv' | 'GptTmpl.inf' | 'registry.pol')[];
  files: string[];
  notes: string[];
}

const BACKUP_MARKERS = ['bkupinfo.xml', 'backup.xml', 'domainsysvol', 'gpreport.xml'];
const MACHINE = ['DomainSysvol', 'GPO', 'Machine'];
export const GPO_FILES = {
  audit: [...MACHINE, 'microsoft', 'windows nt', 'Audit', 'audit.csv'],
  inf: [...MACHINE, 'microsoft', 'windows nt', 'SecEdit', 'GptTmpl.inf'],
  pol: [...MACHINE, 'registry.pol'],
};

function isBackupDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => BACKUP_MARKERS.includes(n.toLowerCase()));
  } catch {
    return false;
  }
}

/** The GPOs one --gpo argument names, in order: a report file, a backup folder, or a folder of backups (by folder name). */
export function readGpoArgument(arg: string, catalog: Catalog, errors: InputError[]): GpoInput[] {
  const st = statSync(arg); // ENOENT is the caller's (a missing argument is an unusable invocation)
  if (st.isFile()) {
    const g = readGpoReport(arg, catalog, errors);
    return g ? [g] : [];
  }
  if (!st.isDirectory()) {
    errors.push({ path: arg, message: 'not a regular file or a folder' });
    return [];
  }
  if (isBackupDir(arg)) return [readGpoBackup(arg, catalog, errors)];
  const out: GpoInput[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(arg).sort();
  } catch (e) {
    errors.push({ path: arg, message: `cannot read directory: ${errnoMessage(e)}` });
  }
  for (const name of names) {
    const p = join(arg, name);
    try {
      if (statSync(p).isDirectory() && isBackupDir(p)) out.push(readGpoBackup(p, catalog, errors));
    } catch (e) {
      errors.push({ path: p, message: `cannot access: ${errnoMessage(e)}` });
    }
  }
  if (!out.length)
    errors.push({
      path: arg,
      message: 'no GPO here (a GPMC backup folder holding bkupInfo.xml / Backup.xml / DomainSysvol, a folder of them, or a Get-GPOReport -ReportType Xml file)',
    });
  return out;
}

/** `segments` under `dir`, each matched case-insensitively; undefined when one is missing. */
export function findPath(dir: string, segments: string[]): string | undefined {
  let cur = dir;
  for (const seg of segments) {
    let names: string[];
    try {
      names = readdirSync(cur);
    } catch {
      return undefined;
    }
    const hit = names.find((n) => n.toLowerCase() === seg.toLowerCase());
    if (!hit) return undefined;
    cur = join(cur, hit);
  }
  return cur;
}

export function readGpoBackup(dir: string, catalog: Catalog, errors: InputError[]): GpoInput {
  const gpo: GpoInput = { name: basename(dir), path: dir, kind: 'backup', files: [], notes: [], unreadable: [] };
  const readFile = <T>(segments: string[], parse: (path: string) => T, kind?: GpoInput['unreadable'][number]): { path: string; parsed: T } | undefined => {
    const path = findPath(dir, segments);
    if (!path) return undefined;
    try {
      const parsed = parse(path);
      gpo.files.push(path);
      return { path, parsed };
    } catch (e) {
      errors.push({ path, message: (e as Error).message });
      if (kind) gpo.unreadable.push(kind);
      return undefined;
    }
  };
  const info = readFile(['bkupInfo.xml'], (p) => text(kids(parseXml(readText(p, MAX_INPUT_FILE)), 'BackupInst')[0], 'GPODisplayName'));
  const backup = readFile(['Backup.xml'], (p) => {
    const core = kids(kids(kids(parseXml(readText(p, MAX_INPUT_FILE)), 'GroupPolicyBackupScheme')[0], 'GroupPolicyObject')[0], 'GroupPolicyCoreSettings')[0];
    return { name: text(core, 'DisplayName'), options: text(core, 'Options') };
  });
  gpo.name = info?.parsed?.trim() || backup?.parsed.name?.trim() || gpo.name;
  // GroupPolicyCoreSettings/Options is the GPO's flags attribute ([MS-GPOL] 2.3: 0x2 disables the computer settings).
  const options = Number(backup?.parsed.options ?? 0);
  if (Number.isInteger(options) && (options & 2) === 2) {
    gpo.computerDisabled = true;
    gpo.notes.push(`${gpo.name}: the GPO's computer settings are disabled (Backup.xml Options ${options}): none of them apply`);
  }
  // A folder with the report but none of the GPO's own files (only gpreport.xml was copied): the report says it.
  const report = findPath(dir, ['gpreport.xml']);
  if (!findPath(dir, ['DomainSysvol']) && report) {
    const r = readGpoReport(report, catalog, errors);
    if (r) return { ...r, name: gpo.name === basename(dir) ? r.name : gpo.name, files: [...gpo.files, ...r.files], notes: [...gpo.notes, ...r.notes] };
  }
  gpo.audit = readFile(GPO_FILES.audit, (p) => parseAuditpol(readText(p, MAX_INPUT_FILE), catalog), 'audit.csv');
  gpo.inf = readFile(GPO_FILES.inf, (p) => parseGptTmpl(readText(p, MAX_INPUT_FILE)), 'GptTmpl.inf');
  gpo.pol = readFile(GPO_FILES.pol, (p) => parseRegistryPol(readBounded(p, MAX_INPUT_FILE)), 'registry.pol');
  if (gpo.pol?.parsed.partial)
    errors.push({ path: gpo.pol.path, message: `${gpo.pol.parsed.partial}; read as partial: a policy it does not set before that point is unknown` });
  for (const [file, notes] of [
    ['audit.csv', gpo.audit?.parsed.notes],
    ['GptTmpl.inf', gpo.inf?.parsed.notes],
  ] as const) {
    for (const n of notes ?? []) gpo.notes.push(`${gpo.name} ${file}: ${n}`);
  }
  return gpo;
}

/** A Get-GPOReport -ReportType Xml file: root <GPO> in http://www.microsoft.com/GroupPolicy/Settings. */
export function readGpoReport(path: string, catalog: Catalog, errors: InputError[]): GpoInput | undefined {
  try {
    const doc = parseXml(readText(path, MAX_INPUT_FILE));
    const root = kids(doc, 'GPO')[0];
    if (!root)
      throw new Error(
        kids(doc, 'Rsop').length
          ? 'this is gpresult output (<Rsop> root): give it with --gpresult'
          : 'not a GPO report (no <GPO> root element; use Get-GPOReport -ReportType Xml) nor a GPMC backup folder',
      );
    const name = text(root, 'Name')?.trim() || basename(path).replace(/\.xml$/i, '');
    const gpo: GpoInput = { name, path, kind: 'report', files: [path], notes: [], unreadable: [] };
    const computer = kids(root, 'Computer')[0];
    const settings: GpresultSettings = {
      computer: name,
      advanced: new Map(),
      legacy: new Map(),
      eventLogs: new Map(),
      policies: new Map(),
      auditGpos: [],
      domainGpos: [name],
      notes: [],
    };
    if (computer && text(computer, 'Enabled') === 'false') {
      gpo.computerDisabled = true;
      gpo.notes.push(`${name}: the GPO's computer settings are disabled (<Computer><Enabled>false): none of them apply`);
    } else if (computer) readComputerExtensions(computer, catalog, () => name, settings);
    for (const n of settings.notes) gpo.notes.push(`${name}: ${n}`);
    gpo.report = settings;
    return gpo;
  } catch (e) {
    errors.push({ path, message: (e as Error).message });
    return undefined;
  }
}
