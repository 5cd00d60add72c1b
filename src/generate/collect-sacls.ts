/**
 * The read side of per-object SACLs: `collect-script <rules> --format ps1` embeds the registry keys and
 * folders the rules watch (saclTargets, the list `fix` writes set-audit-sacls.ps1 from) and reads their audit
 * SACLs with Get-Acl -Audit into sacls.txt. Read-only: Get-Acl, GetAuditRules and Test-Path, nothing else.
 *
 * sacls.txt (docs/collection.md "sacls.txt"): UTF-8, one record per line, fields separated by TAB. A path
 * field has "%", TAB and every other control character written as %XX (two hex digits), so a path with
 * spaces, ";", "=" or a line break stays one field of one line. Records:
 *   logsource-check sacls 1                                 first line: format and version
 *   path <TAB> registry|file <TAB> <path>                   starts one path's block
 *   status <TAB> found <TAB> <n>                            the SACL was read; n audit entries follow
 *   status <TAB> not-found | access-denied | error <TAB> <message>
 *   audit <TAB> <SID> <TAB> 0x<rights> <TAB> <AuditFlags> <TAB> <InheritanceFlags> <TAB> <PropagationFlags> <TAB> inherited|explicit
 *   sddl <TAB> <the SACL in SDDL>                           (GetSecurityDescriptorSddlForm('Audit'), for the record)
 *   end                                                     ends the block: a block without it was cut off
 *   done <TAB> <paths>                                      last line: every path was read
 */
import type { Catalog } from '../catalog/catalog.js';
import type { LoadedRule, SigmaRule } from '../rules/model.js';
import { psSingle } from '../escape.js';
import { SACLS_HEADER } from '../environment/sacls.js';
import { saclTargets, type SaclEntry, type SaclTargets } from './sacl-script.js';

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
  const failure = alternatives.some((a) => a.some((id) => /^sacl:(registry|file):failure$/.test(id)) || (a.some((id) => id === 'sacl:registry' || id === 'sacl:file') && a.some((id) => failureIds.has(id))));
  return { registry, file, failure };
}

const failureCache = new WeakMap<Catalog, Set<string>>();
function failureIdsOf(catalog: Catalog): Set<string> {
  let s = failureCache.get(catalog);
  if (!s) failureCache.set(catalog, (s = new Set(catalog.subcategories.filter((x) => x.sacl === 'registry' || x.sacl === 'file').map((x) => `audit:${x.guid}:failure`))));
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

const sorted = (m: Map<string, SaclEntry>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);

/**
 * The PowerShell lines that write sacls.txt into $out (collect-script.ts's ps1 defines $out and Add-Error).
 * Each path is a psSingle literal: rule files come from strangers, and nothing in one can leave its quotes.
 */
export function saclReadLines(t: SaclTargets): string[] {
  const reg = sorted(t.registry);
  const files = sorted(t.file);
  const count = reg.length + files.length;
  return [
    `# Audit SACLs of the ${reg.length} registry key(s) and ${files.length} folder(s) the rule set watches, read with`,
    '# Get-Acl -Audit (needs SeSecurityPrivilege: an elevated administrator has it). Nothing is changed.',
    "$sacls = Join-Path -Path $out -ChildPath 'sacls.txt'",
    `Set-Content -LiteralPath $sacls -Value '${SACLS_HEADER}' -Encoding UTF8`,
    '# "%", TAB and other control characters of a path or message as %XX: one field, one line.',
    "function Format-SaclField([string]$Text) { [regex]::Replace($Text, '[%\\x00-\\x1f\\x7f]', { param($m) '%{0:X2}' -f [int][char]$m.Value }) }",
    'function Read-Sacl([string]$Kind, [string]$Path) {',
    '  $lines = @("path`t$Kind`t$(Format-SaclField $Path)")',
    "  $type = if ($Kind -eq 'file') { 'Container' } else { 'Any' }",
    '  try {',
    '    if (-not (Test-Path -LiteralPath $Path -PathType $type)) { $lines += "status`tnot-found`t" }',
    '    else {',
    '      $acl = Get-Acl -LiteralPath $Path -Audit -ErrorAction Stop',
    '      $rules = @($acl.GetAuditRules($true, $true, [System.Security.Principal.SecurityIdentifier]))',
    '      $lines += "status`tfound`t$($rules.Count)"',
    '      foreach ($r in $rules) {',
    "        $rights = if ($Kind -eq 'file') { $r.FileSystemRights } else { $r.RegistryRights }",
    "        $origin = if ($r.IsInherited) { 'inherited' } else { 'explicit' }",
    "        $lines += \"audit`t$($r.IdentityReference.Value)`t$('0x{0:X8}' -f [int]$rights)`t$(\"$($r.AuditFlags)\" -replace ' ', '')`t$(\"$($r.InheritanceFlags)\" -replace ' ', '')`t$(\"$($r.PropagationFlags)\" -replace ' ', '')`t$origin\"",
    '      }',
    "      $lines += \"sddl`t$(Format-SaclField $acl.GetSecurityDescriptorSddlForm('Audit'))\"",
    '    }',
    '  } catch [System.UnauthorizedAccessException], [System.Security.AccessControl.PrivilegeNotHeldException] {',
    '    $lines += "status`taccess-denied`t$(Format-SaclField $_.Exception.Message)"',
    '  } catch {',
    '    $lines += "status`terror`t$(Format-SaclField $_.Exception.Message)"',
    '    Add-Error "Get-Acl -Audit $Path" \'exception\'',
    '  }',
    "  $lines += 'end'",
    '  Add-Content -LiteralPath $sacls -Value $lines -Encoding UTF8',
    '}',
    ...reg.map((e) => `Read-Sacl 'registry' ${psSingle(e.path)}`),
    ...files.map((e) => `Read-Sacl 'file' ${psSingle(e.path)}`),
    `Add-Content -LiteralPath $sacls -Value "done\`t${count}" -Encoding UTF8`,
  ];
}
