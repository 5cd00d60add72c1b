import { describe, expect, it } from 'vitest';
import { collectScript, SNAPSHOT_FILES } from '../../src/generate/collect-script.js';

const scripts = { cmd: collectScript('cmd'), ps1: collectScript('ps1') };
/** The script body without its comment header (the guarantees text names commands it does not run). */
const code = (s: string, fmt: 'cmd' | 'ps1') =>
  fmt === 'cmd'
    ? s
        .split('\r\n')
        .filter((l) => !/^\s*rem\b/i.test(l))
        .join('\n')
    : s
        .replace(/<#[\s\S]*?#>/, '')
        .split('\r\n')
        .filter((l) => !/^\s*#/.test(l))
        .join('\n');

const NETWORK = [
  /Invoke-WebRequest/i,
  /Invoke-RestMethod/i,
  /\bcurl\b/i,
  /\bwget\b/i,
  /bitsadmin/i,
  /Start-BitsTransfer/i,
  /Net\.WebClient/i,
  /\bftp\b/i,
  /https?:\/\//i,
  /\\\\\\\\/,
  /\bnet use\b/i,
  /\/s(?:ystem)?:\\\\/i,
  /-ComputerName/i,
  /Invoke-Command/i,
  /\bpsexec\b/i,
];
const STATE_CHANGING = [
  /auditpol\s+\/(set|clear|remove|restore)/i,
  /\/resourceSACL\s+\/(set|clear|remove)/i,
  /\breg(\.exe)?\s+(add|delete|import|restore|load|unload|copy)\b/i,
  /\bwevtutil(\.exe)?\s+(sl|set-log|cl|clear-log|im|install-manifest|um|uninstall-manifest|epl|export-log|al|archive-log)\b/i,
  /\bsc(\.exe)?\s+(config|start|stop|delete|create|pause|continue|failure|sdset|control)\b/i,
  /-accepteula/i,
  /-c\s+--/,
  /-c\s+"?[^\s"]+\.xml/i,
  /\s-u\b/,
  /\s-i\b/,
  /Set-ItemProperty|New-ItemProperty|Remove-ItemProperty|Remove-Item\b|Set-Service|Stop-Service|Start-Service|Restart-Service|Clear-EventLog|Limit-EventLog/i,
  /\bgpupdate\b/i,
  /\bdel\b|\berase\b|\brmdir\b|\brd\s/i,
];

describe('SNAPSHOT_FILES', () => {
  it('names every file once', () => {
    const names = SNAPSHOT_FILES.map((f) => f.file);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'gpresult.xml',
        'auditpol.csv',
        'auditpol-resourcesacl.txt',
        'policies.reg',
        'policies-system.reg',
        'wevtutil-gl.txt',
        'sysmon-service.txt',
        'sysmon.txt',
        'sysmon-config.xml',
        'systeminfo.csv',
        'errors.txt',
      ]),
    );
  });
});

describe.each(['cmd', 'ps1'] as const)('collectScript(%s)', (fmt) => {
  const s = scripts[fmt];
  const body = code(s, fmt);

  it('writes every snapshot file (sacls.txt only with a rule set: test/unit/collect-sacls.test.ts)', () => {
    for (const f of SNAPSHOT_FILES) {
      if (f.file === 'sacls.txt') expect(body).not.toContain(f.file);
      else if (!f.readOnly) expect(body, f.file).toContain(f.file);
    }
    // A file the reader accepts but the script never writes: the script must not name it.
    for (const f of SNAPSHOT_FILES) if (f.readOnly) expect(body, f.file).not.toContain(f.file);
  });

  it('runs every command of SNAPSHOT_FILES', () => {
    for (const cmd of [
      'gpresult /scope computer /x',
      'auditpol /get /category:* /r',
      'auditpol /resourceSACL /type:File /view',
      'auditpol /resourceSACL /type:Key /view',
      "reg export 'HKLM\\SOFTWARE\\Policies'",
      "reg export 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System'",
      'wevtutil el',
      'wevtutil gl',
      'query',
      'qc',
      '-c',
      'systeminfo /fo csv',
    ]) {
      expect(body.replace(/"/g, "'"), cmd).toContain(cmd);
    }
    for (const svc of ['Sysmon64', 'Sysmon', 'SysmonDrv']) expect(body).toContain(svc);
    expect(body).toMatch(/\/f\b/);
    expect(body).toMatch(/\/y\b/);
  });

  it('writes the header line the parsers use before concatenated outputs', () => {
    if (fmt === 'cmd') {
      expect(body).toContain('echo ==== auditpol /resourceSACL /type:File /view');
      expect(body).toContain('echo ==== auditpol /resourceSACL /type:Key /view');
      expect(body).toContain('echo ==== sc query %%S');
      expect(body).toContain('echo ==== sc qc %%S');
      expect(body).toContain('echo ==== wevtutil gl "%%C"');
    } else {
      // Save-Output -Append writes "==== <its Command argument>" before the output.
      expect(body).toContain('@("==== $Command")');
      expect(body).toContain(
        "Save-Output 'auditpol /resourceSACL /type:File /view' 'auditpol-resourcesacl.txt' { auditpol /resourceSACL /type:File /view } -Append",
      );
      expect(body).toContain(
        "Save-Output 'auditpol /resourceSACL /type:Key /view' 'auditpol-resourcesacl.txt' { auditpol /resourceSACL /type:Key /view } -Append",
      );
      expect(body).toContain('Save-Output "sc query $name"');
      expect(body).toContain('Save-Output "wevtutil gl `"$channel`""');
    }
  });

  it('records failures in errors.txt with the exit code', () => {
    expect(body).toContain('errors.txt');
    expect(body).toMatch(/exit code/);
    // sc's 1060 (service not installed) is an answer, not a failure.
    expect(body).toMatch(/1060/);
  });

  it('has no network command and no command that changes state', () => {
    for (const re of NETWORK) expect(body, String(re)).not.toMatch(re);
    for (const re of STATE_CHANGING) expect(body, String(re)).not.toMatch(re);
  });

  it('states its guarantees at the top', () => {
    const top = s.split('\r\n').slice(0, 12).join('\n');
    expect(top).toMatch(/read-only/);
    expect(top).toMatch(/no network/);
    for (const f of SNAPSHOT_FILES) if (!f.readOnly) expect(s).toContain(`${f.file}: ${f.purpose}`);
  });
});

describe('quoting', () => {
  it('cmd: every path built from %OUT%, %BASE%, %ERR% or a variable is quoted', () => {
    const body = code(scripts.cmd, 'cmd');
    for (const m of body.matchAll(/%(OUT|BASE|ERR)%|!SYSMON_(EXE|CFG)!/g)) {
      // inside a quoted string: an odd number of quotes since the start of the line
      const line = body.slice(body.lastIndexOf('\n', m.index) + 1, m.index);
      expect((line.match(/"/g) ?? []).length % 2, `${line}${m[0]}`).toBe(1);
    }
    expect(body).toContain('set "OUT=%BASE%\\%COMPUTERNAME%"');
    expect(body).toContain('set "BASE=%~1"');
  });

  it('ps1: file system paths go through -LiteralPath / Join-Path, never bare strings', () => {
    const body = code(scripts.ps1, 'ps1');
    expect(body).toMatch(/param\(\[string\]\$BaseDirectory = \(Get-Location\)\.Path, \[switch\]\$Zip\)/);
    expect(body).toContain('Join-Path -Path $BaseDirectory -ChildPath $env:COMPUTERNAME');
    expect(body).not.toMatch(/\s-(Literal)?Path\s+[^$("\s]/);
    expect(body).toContain('Compress-Archive -LiteralPath $out');
    expect(body).toMatch(/sc\.exe query/); // "sc" alone is PowerShell's alias for Set-Content
    expect(body).not.toMatch(/(^|[\s{(])sc\s+(query|qc)/);
  });

  it('cmd uses CRLF and ends with the :fail helper', () => {
    expect(scripts.cmd).toMatch(/^@echo off\r\n/);
    expect(scripts.cmd.includes('\n') && !/[^\r]\n/.test(scripts.cmd)).toBe(true);
    expect(scripts.cmd).toContain(':fail\r\n>> "%ERR%" echo %~1: exit code %~2');
  });
});
