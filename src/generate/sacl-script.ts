/**
 * A PowerShell script that adds audit SACLs to the registry keys and folders the rules watch. Object-access
 * events (4656/4657/4663) are written only for objects whose SACL audits the access, so turning on Audit
 * Registry or Audit File System alone produces nothing for these rules. The script only adds audit rules
 * (AddAuditRule): it never removes or replaces an existing SACL entry, and it skips paths that do not exist.
 */
import { psComment, psSingle } from '../escape.js';
import type { LoadedRule, SigmaRule } from '../rules/model.js';

export interface SaclTargets {
  registry: Map<string, Set<string>>;
  file: Map<string, Set<string>>;
  /** Values a key or folder could not be derived from (wildcards in the middle, no root …). */
  skipped: number;
}

const REGISTRY_FIELDS = new Set(['targetobject', 'objectname']);
const FILE_FIELDS = new Set(['targetfilename', 'objectname']);

/** Registry roots as rules write them (Sysmon's HKLM\…, 4657's \REGISTRY\MACHINE\…, or a path with no root). */
const REG_ROOTS: [RegExp, string][] = [
  [/^(hklm|hkey_local_machine|\\registry\\machine)\\/i, 'HKLM:\\'],
  [/^\\?(software|system)\\/i, 'HKLM:\\$1\\'],
  [/^\\?currentcontrolset\\/i, 'HKLM:\\SYSTEM\\CurrentControlSet\\'],
  [/^\\?(control|services)\\/i, 'HKLM:\\SYSTEM\\CurrentControlSet\\$1\\'],
  // Relative paths SigmaHQ writes for machine-wide autostart keys (the script skips keys that do not exist).
  [/^\\?microsoft\\/i, 'HKLM:\\SOFTWARE\\Microsoft\\'],
  [/^\\?currentversion\\/i, 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\'],
];

/** Keys and folders from the rules' TargetObject / TargetFilename values, per rule title. */
export function saclTargets(rules: LoadedRule[], needs: { registry: Set<SigmaRule>; file: Set<SigmaRule> }): SaclTargets {
  const out: SaclTargets = { registry: new Map(), file: new Map(), skipped: 0 };
  for (const r of rules) {
    if (r.kind !== 'rule') continue;
    const reg = needs.registry.has(r);
    const file = needs.file.has(r);
    if (!reg && !file) continue;
    for (const { field, modifiers, value } of values(r.detection)) {
      const f = field.toLowerCase();
      const path = reg && REGISTRY_FIELDS.has(f) ? registryKey(value, modifiers) : file && FILE_FIELDS.has(f) ? folder(value, modifiers) : undefined;
      if (path === undefined) continue;
      if (!path) {
        out.skipped++;
        continue;
      }
      const map = reg && REGISTRY_FIELDS.has(f) ? out.registry : out.file;
      const titles = map.get(path) ?? new Set<string>();
      titles.add(r.title);
      map.set(path, titles);
    }
  }
  return out;
}

/** Every (field, modifiers, string value) of the detection's selections. */
function* values(detection: Record<string, unknown>): Generator<{ field: string; modifiers: string[]; value: string }> {
  for (const [name, sel] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    for (const map of Array.isArray(sel) ? sel : [sel]) {
      if (typeof map !== 'object' || map === null) continue;
      for (const [key, v] of Object.entries(map as Record<string, unknown>)) {
        const [field = '', ...modifiers] = key.split('|');
        for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') yield { field, modifiers, value: x };
      }
    }
  }
}

/**
 * The key to audit: the value's path up to its last complete key. A TargetObject names a value (registry_set)
 * or a key; auditing its parent with inheritance covers both. undefined: not a usable value; '': not derivable.
 */
function registryKey(value: string, modifiers: string[]): string | undefined {
  if (modifiers.some((m) => m === 're' || m.startsWith('base64') || m === 'cidr')) return '';
  let v = value.trim();
  const star = v.search(/[*?]/);
  if (star >= 0) v = v.slice(0, star);
  const root = REG_ROOTS.find(([re]) => re.test(v));
  if (!root) return '';
  v = v.replace(root[0], root[1]);
  const parts = v.split('\\').filter(Boolean);
  // An exact or "endswith" value ends in a value name: audit the key above it. A "contains"/"startswith"
  // value is a key prefix: audit it (inheritance covers what lies below).
  if (!(modifiers.includes('contains') || modifiers.includes('startswith')) && star < 0) parts.pop();
  if (parts.length < 4) return ''; // HKLM:\SOFTWARE\Microsoft alone would be a global SACL in disguise
  if (/[\u0000-\u001f'`$]/.test(parts.join(''))) return '';
  return parts.join('\\');
}

/** The folder to audit for a TargetFilename value: only absolute paths with a drive or an environment root. */
function folder(value: string, modifiers: string[]): string | undefined {
  if (modifiers.some((m) => m === 're' || m.startsWith('base64'))) return '';
  let v = value.trim();
  const star = v.search(/[*?]/);
  if (star >= 0) v = v.slice(0, star);
  if (!/^[a-z]:\\/i.test(v) && !/^%(systemroot|windir|programdata|programfiles)%\\/i.test(v)) return '';
  const parts = v.split('\\').filter(Boolean);
  parts.pop();
  if (parts.length < 2) return '';
  if (/[\u0000-\u001f'`$]/.test(parts.join(''))) return '';
  return parts.join('\\').replace(/^%systemroot%|^%windir%/i, 'C:\\Windows').replace(/^%programdata%/i, 'C:\\ProgramData').replace(/^%programfiles%/i, 'C:\\Program Files');
}


/** The script; Everyone (S-1-1-0, language-neutral) audited on success for writes, inherited below. */
export function saclScript(t: SaclTargets): string {
  const lines = [
    '# Generated by logsource-check: audit SACLs for the registry keys and folders the rule set watches.',
    '# Object-access events (4656, 4657, 4663) are written only for objects whose SACL audits the access;',
    '# Audit Registry / Audit File System (Success) must be on as well (see enable-audit.cmd / audit.csv).',
    '# Run as administrator. It only ADDS audit entries (AddAuditRule); existing SACL entries are kept.',
    '# Paths that do not exist on this host are skipped. HKCU/HKU paths of the rules are not covered here.',
    '#',
    '# Fallback (high volume, every key / file of the host): a global SACL instead of per-object SACLs:',
    '#   auditpol /resourceSACL /set /type:Key /user:Everyone /success /access:KEY_SET_VALUE',
    '#   auditpol /resourceSACL /set /type:File /user:Everyone /success /access:FILE_GENERIC_WRITE',
    '$ErrorActionPreference = "Continue"',
    '$everyone = New-Object System.Security.Principal.SecurityIdentifier("S-1-1-0")',
    'function Add-RegistryAudit([string]$Path) {',
    '  if (-not (Test-Path -LiteralPath $Path)) { Write-Host "skipped (absent): $Path"; return }',
    '  $acl = Get-Acl -LiteralPath $Path -Audit',
    '  $rule = New-Object System.Security.AccessControl.RegistryAuditRule($everyone, "SetValue,CreateSubKey,Delete", "ContainerInherit", "None", "Success")',
    '  $acl.AddAuditRule($rule); Set-Acl -LiteralPath $Path -AclObject $acl; Write-Host "audited: $Path"',
    '}',
    'function Add-FileAudit([string]$Path) {',
    '  if (-not (Test-Path -LiteralPath $Path)) { Write-Host "skipped (absent): $Path"; return }',
    '  $acl = Get-Acl -LiteralPath $Path -Audit',
    '  $rule = New-Object System.Security.AccessControl.FileSystemAuditRule($everyone, "CreateFiles,AppendData,WriteData,Delete", "ContainerInherit,ObjectInherit", "None", "Success")',
    '  $acl.AddAuditRule($rule); Set-Acl -LiteralPath $Path -AclObject $acl; Write-Host "audited: $Path"',
    '}',
  ];
  for (const [path, titles] of [...t.registry].sort()) lines.push(`# ${psComment([...titles].slice(0, 3).join('; '))}${titles.size > 3 ? ` (+${titles.size - 3} rules)` : ''}`, `Add-RegistryAudit ${psSingle(path)}`);
  for (const [path, titles] of [...t.file].sort()) lines.push(`# ${psComment([...titles].slice(0, 3).join('; '))}${titles.size > 3 ? ` (+${titles.size - 3} rules)` : ''}`, `Add-FileAudit ${psSingle(path)}`);
  return lines.join('\r\n') + '\r\n';
}
