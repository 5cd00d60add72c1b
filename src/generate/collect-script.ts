/**
 * The host-snapshot collection script: what a Windows admin runs (elevated) on a host so that the tool can
 * tell which events that host really produces. Built-in commands only, read-only, no network: a script
 * people are asked to run on domain controllers must be easy to audit by reading it.
 *
 * SNAPSHOT_FILES is the single list of snapshot file names; the reader and the docs use it too.
 */
import { cmdFile, ps1File } from '../escape.js';
import { saclReadLines } from './collect-sacls.js';
import type { SaclTargets } from './sacl-script.js';

export interface SnapshotFile {
  file: string;
  /** The command as an admin would type it (the script runs it with the output path filled in). */
  command: string;
  purpose: string;
  /** Read when present but never written by the script (another form of a file it writes). */
  readOnly?: true;
}

export const SNAPSHOT_FILES: SnapshotFile[] = [
  {
    file: 'gpresult.xml',
    command: 'gpresult /scope computer /x gpresult.xml /f',
    purpose: 'Group Policy applied to the computer: advanced audit policy, administrative templates, event log sizes',
  },
  { file: 'auditpol.csv', command: 'auditpol /get /category:* /r', purpose: 'effective audit policy, whatever set it (GPO, MDM, local)' },
  {
    file: 'auditpol-resourcesacl.txt',
    command: 'auditpol /resourceSACL /type:File /view + auditpol /resourceSACL /type:Key /view',
    purpose: 'global object access auditing: without it file and registry auditing logs only objects with their own SACL',
  },
  {
    file: 'policies.reg',
    command: 'reg export HKLM\\SOFTWARE\\Policies policies.reg /y',
    purpose: 'policy registry values as the host has them (GPO or MDM): PowerShell logging, event log sizes, forwarding',
  },
  {
    file: 'policies-system.reg',
    command: 'reg export HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System policies-system.reg /y',
    purpose: 'process creation command line (Audit\\ProcessCreationIncludeCmdLine_Enabled)',
  },
  {
    file: 'wevtutil-gl.txt',
    command: 'wevtutil gl "<channel>" for every channel of wevtutil el',
    purpose: 'which event channels are enabled, their size and retention',
  },
  {
    file: 'wevtutil-el.txt',
    command: 'wevtutil el',
    purpose: 'the full channel list: a channel not in it is not on the host, and role channels (DNS Server, Directory Service ...) show the roles',
  },
  {
    file: 'sysmon-service.txt',
    command:
      "sc query + sc qc for Sysmon64, Sysmon, SysmonDrv and the service named after the Sysmon publisher's binary; wevtutil gp Microsoft-Windows-Sysmon; fltmc filters",
    purpose:
      'whether Sysmon is installed and running, under any name (its publisher and minifilter altitude do not change with renaming), and whether it is the Windows built-in one',
  },
  { file: 'sysmon.txt', command: '<sysmon binary> -c', purpose: 'the Sysmon configuration the driver really uses (only when the service exists)' },
  { file: 'sysmon-config.xml', command: 'copy of the "Config file" named by sysmon -c', purpose: 'the Sysmon XML configuration, when the file still exists' },
  { file: 'systeminfo.csv', command: 'systeminfo /fo csv', purpose: 'host name, OS version and role (workstation, server, domain controller)' },
  {
    file: 'sacls.txt',
    command: 'Get-Acl -Audit for each registry key and folder the rules watch (collect-script <rules> --format ps1 only)',
    purpose: 'per-object audit SACLs of the watched keys and folders: without one, Windows writes no 4656/4657/4663 for them',
  },
  {
    file: 'systeminfo.txt',
    command: 'systeminfo',
    purpose: 'the same facts from the default list output, in any language, when an admin saved that instead',
    readOnly: true,
  },
  { file: 'errors.txt', command: '(written by the script)', purpose: 'every command that failed, with its exit code' },
];

const SYSMON_SERVICES = ['Sysmon64', 'Sysmon', 'SysmonDrv'];

const GUARANTEES = [
  'logsource-check host snapshot collector.',
  'Run it as administrator on each host to assess; it writes a folder named after the computer',
  '(in the directory given as first argument, or the current directory) and nothing else.',
  'Guarantees: read-only (it only queries; it changes no policy, no log, no service, no registry value);',
  'no network access (no download, no upload, no remote command); built-in Windows commands only.',
  'Send the folder to whoever runs logsource-check; it contains no event data and no secrets,',
  'but it does describe the host (names, OS, policies).',
  'What it collects and why:',
  ...SNAPSHOT_FILES.filter((f) => !f.readOnly).map((f) => `  ${f.file}: ${f.purpose}`),
];

/** sacls: the keys and folders a rule set watches (collect-sacls.ts); the ps1 then reads their SACLs into sacls.txt. */
export function collectScript(format: 'cmd' | 'ps1', sacls?: SaclTargets): string {
  return format === 'cmd' ? cmdScript(sacls) : ps1Script(sacls);
}

/** The script as the bytes of its file: .ps1 UTF-8 with a BOM (a rule's path may be any Unicode), .cmd ASCII (src/encode.ts). */
export function collectScriptFile(format: 'cmd' | 'ps1', sacls?: SaclTargets): Buffer {
  return format === 'cmd' ? cmdFile(cmdScript(sacls)) : ps1File(ps1Script(sacls));
}

function cmdScript(sacls?: SaclTargets): string {
  const rem = GUARANTEES.map((l) => `rem ${l}`.trimEnd());
  const header = (file: string, cmd: string, first: boolean) => `${first ? '>' : '>>'} "%OUT%\\${file}" echo ==== ${cmd}`;
  return [
    '@echo off',
    ...rem,
    'rem Needs: Windows 7 / Server 2008 R2 or later, an elevated command prompt.',
    'setlocal EnableExtensions EnableDelayedExpansion',
    '',
    'rem An elevated token has the High Mandatory Level SID S-1-16-12288; without it gpresult and auditpol fail.',
    'whoami /groups | find "S-1-16-12288" >nul || (echo Run this script from an elevated command prompt. & exit /b 1)',
    '',
    'set "BASE=%~1"',
    'if "%BASE%"=="" set "BASE=%CD%"',
    'set "OUT=%BASE%\\%COMPUTERNAME%"',
    'if not exist "%OUT%\\" mkdir "%OUT%" || (echo Cannot create "%OUT%". & exit /b 1)',
    'set "ERR=%OUT%\\errors.txt"',
    'type nul > "%ERR%"',
    '',
    'gpresult /scope computer /x "%OUT%\\gpresult.xml" /f >nul 2>>"%ERR%"',
    'if errorlevel 1 call :fail "gpresult /scope computer /x gpresult.xml /f" !errorlevel!',
    '',
    'auditpol /get /category:* /r > "%OUT%\\auditpol.csv" 2>>"%ERR%"',
    'if errorlevel 1 call :fail "auditpol /get /category:* /r" !errorlevel!',
    '',
    'rem Each output is preceded by a "==== <command>" line so the reader knows which is which.',
    header('auditpol-resourcesacl.txt', 'auditpol /resourceSACL /type:File /view', true),
    'auditpol /resourceSACL /type:File /view >> "%OUT%\\auditpol-resourcesacl.txt" 2>&1',
    'if errorlevel 1 call :fail "auditpol /resourceSACL /type:File /view" !errorlevel!',
    header('auditpol-resourcesacl.txt', 'auditpol /resourceSACL /type:Key /view', false),
    'auditpol /resourceSACL /type:Key /view >> "%OUT%\\auditpol-resourcesacl.txt" 2>&1',
    'if errorlevel 1 call :fail "auditpol /resourceSACL /type:Key /view" !errorlevel!',
    '',
    'reg export "HKLM\\SOFTWARE\\Policies" "%OUT%\\policies.reg" /y >nul 2>>"%ERR%"',
    'if errorlevel 1 call :fail "reg export HKLM\\SOFTWARE\\Policies policies.reg /y" !errorlevel!',
    'reg export "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System" "%OUT%\\policies-system.reg" /y >nul 2>>"%ERR%"',
    'if errorlevel 1 call :fail "reg export HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System policies-system.reg /y" !errorlevel!',
    '',
    'rem The full channel list, then one "wevtutil gl" per channel in it (about a thousand; this takes a minute).',
    'wevtutil el > "%OUT%\\wevtutil-el.txt" 2>>"%ERR%"',
    'if errorlevel 1 call :fail "wevtutil el" !errorlevel!',
    'type nul > "%OUT%\\wevtutil-gl.txt"',
    'for /f "usebackq delims=" %%C in (`wevtutil el`) do (',
    '  >> "%OUT%\\wevtutil-gl.txt" echo ==== wevtutil gl "%%C"',
    '  wevtutil gl "%%C" >> "%OUT%\\wevtutil-gl.txt" 2>&1',
    '  if errorlevel 1 call :fail "wevtutil gl %%C" !errorlevel!',
    ')',
    '',
    'rem Sysmon by what it is: the binary that registered its event publisher, and the minifilter at its altitude',
    'rem (both unchanged when Sysmon is installed under another name). A missing publisher is an answer, not a failure.',
    'type nul > "%OUT%\\sysmon-service.txt"',
    '>> "%OUT%\\sysmon-service.txt" echo ==== wevtutil gp Microsoft-Windows-Sysmon',
    'wevtutil gp Microsoft-Windows-Sysmon >> "%OUT%\\sysmon-service.txt" 2>&1',
    '>> "%OUT%\\sysmon-service.txt" echo ==== fltmc filters',
    'fltmc filters >> "%OUT%\\sysmon-service.txt" 2>&1',
    'if errorlevel 1 call :fail "fltmc filters" !errorlevel!',
    'set "SYSMON_NAME="',
    'for /f "tokens=1,* delims=:" %%A in (\'wevtutil gp Microsoft-Windows-Sysmon 2^>nul ^| findstr /b /c:"messageFileName:"\') do set "SYSMON_NAME=%%~nB"',
    'if defined SYSMON_NAME for /f "tokens=*" %%N in ("!SYSMON_NAME!") do set "SYSMON_NAME=%%N"',
    'rem sc exits with 1060 when the service does not exist: that is an answer, not a failure.',
    `for %%S in (${SYSMON_SERVICES.join(' ')} !SYSMON_NAME!) do (`,
    '  >> "%OUT%\\sysmon-service.txt" echo ==== sc query %%S',
    '  sc query %%S >> "%OUT%\\sysmon-service.txt" 2>&1',
    '  if errorlevel 1 if not !errorlevel!==1060 call :fail "sc query %%S" !errorlevel!',
    '  >> "%OUT%\\sysmon-service.txt" echo ==== sc qc %%S',
    '  sc qc %%S >> "%OUT%\\sysmon-service.txt" 2>&1',
    '  if errorlevel 1 if not !errorlevel!==1060 call :fail "sc qc %%S" !errorlevel!',
    ')',
    '',
    'rem The Sysmon binary is the service ImagePath (read from the registry: its value names are never translated).',
    'set "SYSMON_EXE="',
    'for %%S in (Sysmon64 Sysmon !SYSMON_NAME!) do if not defined SYSMON_EXE (',
    '  for /f "tokens=2,*" %%A in (\'reg query "HKLM\\SYSTEM\\CurrentControlSet\\Services\\%%S" /v ImagePath 2^>nul ^| find /i "ImagePath"\') do set "SYSMON_EXE=%%~B"',
    ')',
    'if defined SYSMON_EXE (',
    '  call set "SYSMON_EXE=!SYSMON_EXE!"',
    '  if exist "!SYSMON_EXE!" (',
    '    rem "-c" without an argument only prints the configuration in use.',
    '    "!SYSMON_EXE!" -c > "%OUT%\\sysmon.txt" 2>&1',
    '    if errorlevel 1 call :fail "sysmon -c" !errorlevel!',
    '    set "SYSMON_CFG="',
    '    for /f "tokens=1,* delims=:" %%A in (\'findstr /c:"Config file:" "%OUT%\\sysmon.txt"\') do set "SYSMON_CFG=%%B"',
    '    if defined SYSMON_CFG for /f "tokens=*" %%P in ("!SYSMON_CFG!") do set "SYSMON_CFG=%%~P"',
    '    if defined SYSMON_CFG (',
    '      if exist "!SYSMON_CFG!" (copy /y "!SYSMON_CFG!" "%OUT%\\sysmon-config.xml" >nul) else (>> "%ERR%" echo sysmon config file "!SYSMON_CFG!" not found)',
    '    )',
    '  ) else (>> "%ERR%" echo sysmon binary "!SYSMON_EXE!" not found)',
    ')',
    '',
    'systeminfo /fo csv > "%OUT%\\systeminfo.csv" 2>>"%ERR%"',
    'if errorlevel 1 call :fail "systeminfo /fo csv" !errorlevel!',
    '',
    // cmd.exe has no reader of SACLs (icacls shows the DACL only): sacls.txt comes from the ps1 alone.
    ...(sacls
      ? [
          'rem Per-object audit SACLs (sacls.txt) are read by the PowerShell script only:',
          'rem logsource-check collect-script <rules> --format ps1. This script does not write sacls.txt.',
          '',
        ]
      : []),
    'echo Snapshot written to "%OUT%"',
    'exit /b 0',
    '',
    ':fail',
    '>> "%ERR%" echo %~1: exit code %~2',
    'exit /b 0',
    '',
  ].join('\r\n');
}

function ps1Script(sacls?: SaclTargets): string {
  const services = SYSMON_SERVICES.map((s) => `'${s}'`).join(', ');
  return [
    '#Requires -RunAsAdministrator',
    '<#',
    ...GUARANTEES.map((l) => `  ${l}`.trimEnd()),
    '  -Zip also writes <computer>.zip next to the folder (Compress-Archive).',
    '#>',
    'param([string]$BaseDirectory = (Get-Location).Path, [switch]$Zip)',
    '',
    "$ErrorActionPreference = 'Continue'",
    '$out = Join-Path -Path $BaseDirectory -ChildPath $env:COMPUTERNAME',
    'New-Item -ItemType Directory -Force -Path $out | Out-Null',
    "$errors = Join-Path -Path $out -ChildPath 'errors.txt'",
    'Set-Content -LiteralPath $errors -Value @() -Encoding UTF8',
    '',
    'function Add-Error([string]$Command, $Code) { Add-Content -LiteralPath $errors -Value "${Command}: exit code $Code" -Encoding UTF8 }',
    '',
    '# Runs a native command and saves its output verbatim (UTF-8); a "==== <command>" line precedes each',
    '# output in the files that hold several. Exit codes outside $Ok go to errors.txt.',
    'function Save-Output([string]$Command, [string]$File, [scriptblock]$Run, [switch]$Append, [int[]]$Ok = @(0)) {',
    '  $path = Join-Path -Path $out -ChildPath $File',
    '  $text = & $Run 2>&1 | ForEach-Object { "$_" }',
    '  $code = $LASTEXITCODE',
    '  if ($Append) { Add-Content -LiteralPath $path -Value (@("==== $Command") + $text) -Encoding UTF8 }',
    '  else { Set-Content -LiteralPath $path -Value $text -Encoding UTF8 }',
    '  if ($Ok -notcontains $code) { Add-Error $Command $code }',
    '}',
    '',
    '# Commands that write their own file.',
    "& gpresult /scope computer /x (Join-Path -Path $out -ChildPath 'gpresult.xml') /f 2>&1 | Out-Null",
    "if ($LASTEXITCODE -ne 0) { Add-Error 'gpresult /scope computer /x gpresult.xml /f' $LASTEXITCODE }",
    "& reg export 'HKLM\\SOFTWARE\\Policies' (Join-Path -Path $out -ChildPath 'policies.reg') /y 2>&1 | Out-Null",
    "if ($LASTEXITCODE -ne 0) { Add-Error 'reg export HKLM\\SOFTWARE\\Policies policies.reg /y' $LASTEXITCODE }",
    "& reg export 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' (Join-Path -Path $out -ChildPath 'policies-system.reg') /y 2>&1 | Out-Null",
    "if ($LASTEXITCODE -ne 0) { Add-Error 'reg export HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System policies-system.reg /y' $LASTEXITCODE }",
    '',
    "Save-Output 'auditpol /get /category:* /r' 'auditpol.csv' { auditpol /get /category:* /r }",
    "Set-Content -LiteralPath (Join-Path -Path $out -ChildPath 'auditpol-resourcesacl.txt') -Value @() -Encoding UTF8",
    "Save-Output 'auditpol /resourceSACL /type:File /view' 'auditpol-resourcesacl.txt' { auditpol /resourceSACL /type:File /view } -Append",
    "Save-Output 'auditpol /resourceSACL /type:Key /view' 'auditpol-resourcesacl.txt' { auditpol /resourceSACL /type:Key /view } -Append",
    '',
    '# The full channel list, then one "wevtutil gl" per channel in it (about a thousand; this takes a minute).',
    "Save-Output 'wevtutil el' 'wevtutil-el.txt' { wevtutil el }",
    "Set-Content -LiteralPath (Join-Path -Path $out -ChildPath 'wevtutil-gl.txt') -Value @() -Encoding UTF8",
    "foreach ($channel in (Get-Content -LiteralPath (Join-Path -Path $out -ChildPath 'wevtutil-el.txt') -Encoding UTF8)) {",
    '  if (-not $channel) { continue }',
    '  Save-Output "wevtutil gl `"$channel`"" \'wevtutil-gl.txt\' { wevtutil gl "$channel" } -Append',
    '}',
    '',
    '# Sysmon by what it is: the binary that registered its event publisher, and the minifilter at its altitude',
    '# (both unchanged when Sysmon is installed under another name). A missing publisher is an answer, not a failure.',
    "Set-Content -LiteralPath (Join-Path -Path $out -ChildPath 'sysmon-service.txt') -Value @() -Encoding UTF8",
    "Save-Output 'wevtutil gp Microsoft-Windows-Sysmon' 'sysmon-service.txt' { wevtutil gp Microsoft-Windows-Sysmon } -Append -Ok 0, 2, 15002",
    "Save-Output 'fltmc filters' 'sysmon-service.txt' { fltmc filters } -Append",
    "$publisher = (& wevtutil gp Microsoft-Windows-Sysmon 2>$null) | Where-Object { $_ -like 'messageFileName:*' } | Select-Object -First 1",
    "$renamed = if ($publisher) { [IO.Path]::GetFileNameWithoutExtension(($publisher -replace '^messageFileName:\\s*', '').Trim()) } else { $null }",
    `$names = @(${services}) + @($renamed | Where-Object { $_ -and (@(${services}) -notcontains $_) })`,
    '# sc exits with 1060 when the service does not exist: that is an answer, not a failure.',
    'foreach ($name in $names) {',
    '  Save-Output "sc query $name" \'sysmon-service.txt\' { sc.exe query $name } -Append -Ok 0, 1060',
    '  Save-Output "sc qc $name" \'sysmon-service.txt\' { sc.exe qc $name } -Append -Ok 0, 1060',
    '}',
    '',
    '# The Sysmon binary is the service ImagePath; "-c" without an argument only prints the configuration in use.',
    "foreach ($name in @(@('Sysmon64', 'Sysmon') + @($renamed | Where-Object { $_ }))) {",
    '  $image = (Get-ItemProperty -LiteralPath "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\$name" -Name ImagePath -ErrorAction SilentlyContinue).ImagePath',
    '  if (-not $image) { continue }',
    "  $exe = [Environment]::ExpandEnvironmentVariables($image).Trim().Trim('\"') -replace '^\\\\\\?\\?\\\\', ''",
    '  if (-not (Test-Path -LiteralPath $exe)) { Add-Content -LiteralPath $errors -Value "sysmon binary $exe not found" -Encoding UTF8; break }',
    "  Save-Output 'sysmon -c' 'sysmon.txt' { & $exe -c }",
    "  $line = Select-String -LiteralPath (Join-Path -Path $out -ChildPath 'sysmon.txt') -Pattern '^\\s*-\\s*Config file:\\s*(.+?)\\s*$' | Select-Object -First 1",
    '  if ($line) {',
    '    $config = $line.Matches[0].Groups[1].Value',
    "    if (Test-Path -LiteralPath $config) { Copy-Item -LiteralPath $config -Destination (Join-Path -Path $out -ChildPath 'sysmon-config.xml') -Force }",
    '    else { Add-Content -LiteralPath $errors -Value "sysmon config file $config not found" -Encoding UTF8 }',
    '  }',
    '  break',
    '}',
    '',
    "Save-Output 'systeminfo /fo csv' 'systeminfo.csv' { systeminfo /fo csv }",
    '',
    ...(sacls ? [...saclReadLines(sacls), ''] : []),
    'if ($Zip) { Compress-Archive -LiteralPath $out -DestinationPath "$out.zip" -Force }',
    'Write-Host "Snapshot written to $out"',
    '',
  ].join('\r\n');
}
