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
import { psSingle } from '../escape.js';
import { SACLS_HEADER } from '../environment/sacls.js';
import type { SaclEntry, SaclTargets } from '../requirements/sacl-targets.js';

export { ruleSaclNeeds, watchedTargets, type SaclNeeds } from '../requirements/sacl-targets.js';

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
    '      $lines += "sddl`t$(Format-SaclField $acl.GetSecurityDescriptorSddlForm(\'Audit\'))"',
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
