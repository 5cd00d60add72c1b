/**
 * collect-script with a rule set: the ps1 embeds the keys and folders the rules watch (the saclTargets list
 * fix uses), reads their audit SACLs read-only, and no path from a rule file can leave its quotes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCheck } from '../../src/check.js';
import { SNAPSHOT_NAMES } from '../../src/environment/snapshot.js';
import { collectScript, collectScriptFile, SNAPSHOT_FILES } from '../../src/generate/collect-script.js';
import { saclReadLines, watchedTargets } from '../../src/generate/collect-sacls.js';
import type { SaclEntry, SaclTargets } from '../../src/generate/sacl-script.js';
import { CORPUS, corpusOrSkip, ROOT } from '../helpers.js';

const catalog = loadCatalog();
const FX = join(ROOT, 'test/fixtures/sacl');

/** Code lines of a ps1: comments and the <# #> header left out. */
const code = (s: string) =>
  s
    .replace(/<#[\s\S]*?#>/, '')
    .split('\r\n')
    .filter((l) => !/^\s*#/.test(l));

function targets(paths: { kind: 'registry' | 'file'; path: string }[]): SaclTargets {
  const t: SaclTargets = { registry: new Map(), file: new Map(), skipped: 0, valuesToKeys: 0 };
  for (const p of paths) {
    const e: SaclEntry = { path: p.path, inherit: true, rights: new Set(['SetValue']), failure: false, titles: new Set(['t']) };
    (p.kind === 'registry' ? t.registry : t.file).set(p.path.toLowerCase(), e);
  }
  return t;
}

/**
 * A PowerShell string argument as psString writes it, read back the way PowerShell's tokenizer reads it:
 * 'single-quoted' (a doubled quote of any of the four quote characters is one), or ('a' + [char]0xNNNN + 'b').
 * Returns undefined when the argument is anything else (an expression, a second argument, a subexpression).
 */
function readPsArgument(arg: string): string | undefined {
  const Q = "['\u2018\u2019\u201a\u201b]";
  const lit = new RegExp(`^${Q}((?:[^'\u2018\u2019\u201a\u201b]|${Q}${Q})*)${Q}$`, 'u');
  const one = (s: string) => {
    const m = lit.exec(s);
    return m ? (m[1] as string).replace(new RegExp(`(${Q})${Q}`, 'gu'), '$1') : undefined;
  };
  if (!arg.startsWith('(')) return one(arg);
  if (!arg.endsWith(')')) return undefined;
  const parts = arg.slice(1, -1).split(' + ');
  let out = '';
  for (const p of parts) {
    const c = /^\[char\]0x([0-9A-F]{4})$/.exec(p);
    if (c) out += String.fromCharCode(parseInt(c[1] as string, 16));
    else {
      const s = one(p);
      if (s === undefined) return undefined;
      out += s;
    }
  }
  return out;
}

describe('sacls.txt in the snapshot file list', () => {
  it('SNAPSHOT_FILES (collect-script.ts) and SNAPSHOT_NAMES (the reader) are the same list', () => {
    expect([...SNAPSHOT_NAMES].sort()).toEqual(SNAPSHOT_FILES.map((f) => f.file).sort());
    expect(SNAPSHOT_NAMES).toContain('sacls.txt');
  });

  it('without a rule set neither script reads SACLs (the script is as before)', () => {
    for (const fmt of ['cmd', 'ps1'] as const) {
      const body =
        fmt === 'ps1'
          ? code(collectScript(fmt)).join('\n')
          : collectScript(fmt)
              .split('\r\n')
              .filter((l) => !/^rem /.test(l))
              .join('\n');
      expect(body).not.toMatch(/sacls\.txt|Get-Acl|Read-Sacl/);
    }
  });
});

describe('collect-script with the fixture rules (test/fixtures/sacl)', async () => {
  const run = await runCheck([FX], { cacheDir: false, workers: false });
  const t = watchedTargets(run.load.rules, run.result.rules, catalog);
  const ps1 = collectScript('ps1', t);
  const lines = code(ps1);
  const reads = lines.filter((l) => l.startsWith('Read-Sacl '));

  it('embeds exactly the keys and folders saclTargets derives (the list fix writes from), one Read-Sacl each', () => {
    const want = [
      ...[...t.registry.values()].map((e) => `Read-Sacl 'registry' '${e.path}'`),
      ...[...t.file.values()].map((e) => `Read-Sacl 'file' '${e.path}'`),
    ].sort();
    expect([...reads].sort()).toEqual(want);
    expect(reads).toContain("Read-Sacl 'registry' 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'");
    expect(reads).toContain("Read-Sacl 'file' 'C:\\Windows\\System32\\Tasks'");
    // the "done" line counts them: the reader tells a finished file from a cut one
    expect(lines).toContain(`Add-Content -LiteralPath $sacls -Value "done\`t${reads.length}" -Encoding UTF8`);
  });

  it('reads SACLs only: Get-Acl -Audit and GetAuditRules, no cmdlet or method that changes a SACL, a key or a policy', () => {
    // The one New-Item is the script's own output folder (collect-script.ts, before any read).
    const body = lines.filter((l) => l !== 'New-Item -ItemType Directory -Force -Path $out | Out-Null').join('\n');
    for (const re of [
      /Set-Acl/i,
      /AddAuditRule/i,
      /SetAuditRule/i,
      /RemoveAuditRule/i,
      /PurgeAuditRules/i,
      /SetAuditRuleProtection/i,
      /SetSecurityDescriptor/i,
      /\.Persist\(/i,
      /New-Item/i,
      /\bRemove-\w+/i,
      /\bRename-Item/i,
      /\bMove-Item/i,
      /\bSet-Item/i,
      /\bNew-ItemProperty/i,
      /\breg(\.exe)?\s+(add|delete|import|restore)/i,
      /auditpol(\.exe)?\s+\/(set|clear|remove|restore)/i,
      /\/resourceSACL\s+\/set/i,
      /\bicacls\b/i,
      /\bsubinacl\b/i,
    ]) {
      expect(body, String(re)).not.toMatch(re);
    }
    expect(body).toContain('Get-Acl -LiteralPath $Path -Audit -ErrorAction Stop');
    expect(body).toContain('$acl.GetAuditRules($true, $true, [System.Security.Principal.SecurityIdentifier])');
    // Writes go to files inside the snapshot folder only.
    for (const l of body.split('\n')) {
      for (const m of l.matchAll(/(Set-Content|Add-Content|Out-File)\s+-LiteralPath\s+(\S+)/g))
        expect(['$errors', '$path', '$sacls', '(Join-Path']).toContain(m[2]);
    }
  });

  it('the cmd script says that per-object SACLs need the ps1, and writes no sacls.txt', () => {
    const cmd = collectScript('cmd', t);
    expect(cmd).toContain('rem Per-object audit SACLs (sacls.txt) are read by the PowerShell script only:');
    const body = cmd
      .split('\r\n')
      .filter((l) => !/^rem /.test(l))
      .join('\n');
    expect(body).not.toMatch(/sacls\.txt|Get-Acl|icacls/i);
  });
});

describe('collect-script with SigmaHQ registry rules', async () => {
  if (!corpusOrSkip('collect-script with SigmaHQ registry rules')) return;
  const R = join(CORPUS, 'sigmahq/rules/windows');
  const files = [
    'registry/registry_set/registry_set_lsa_disablerestrictedadmin.yml',
    'registry/registry_set/registry_set_aedebug_persistence.yml',
    'builtin/security/win_security_windows_defender_exclusions_registry_modified.yml',
  ].map((f) => join(R, f));
  const run = await runCheck(files, { cacheDir: false, workers: false });
  const t = watchedTargets(run.load.rules, run.result.rules, catalog);

  it('embeds the keys those rules watch (Lsa, AeDebug, Defender Exclusions)', () => {
    const reads = code(collectScript('ps1', t)).filter((l) => l.startsWith('Read-Sacl '));
    expect(reads.sort()).toEqual([
      "Read-Sacl 'registry' 'HKLM:\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions'",
      "Read-Sacl 'registry' 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug'",
      "Read-Sacl 'registry' 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa'",
    ]);
  });
});

describe('a hostile path cannot leave its quotes', () => {
  const hostile = [
    "HKLM:\\SOFTWARE\\x'; Remove-Item -Recurse C:\\ ; '",
    'HKLM:\\SOFTWARE\\$(Stop-Computer -Force)\\${env:TEMP}',
    'HKLM:\\SOFTWARE\\back`tick`"; Stop-Computer',
    'C:\\Users\\a\r\nStop-Computer -Force\r\n#',
    'C:\\x\u2019; Stop-Computer; \u2018\u201a\u201b',
    'C:\\bidi\u202Egnp.exe\u2028next\u0085\u0000',
    'HKLM:\\SOFTWARE\\with; semicolons = and %25 percent\tand tab',
  ];
  const t = targets(hostile.map((path, i) => ({ kind: i % 2 ? 'file' : 'registry', path })));
  const script = saclReadLines(t);

  it('each path is one Read-Sacl line whose single argument PowerShell reads back as exactly the path', () => {
    const reads = script.filter((l) => l.startsWith('Read-Sacl '));
    expect(reads).toHaveLength(hostile.length);
    const back = reads.map((l) => {
      const m = /^Read-Sacl '(registry|file)' (.+)$/.exec(l);
      expect(m, l).not.toBeNull();
      return readPsArgument(m![2]!);
    });
    expect(back.sort()).toEqual([...hostile].sort());
  });

  it('no raw control or bidi character reaches the script; the file is UTF-8 with a BOM', () => {
    const text = collectScript('ps1', t);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    const bytes = collectScriptFile('ps1', t);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});
