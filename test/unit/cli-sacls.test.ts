/**
 * Object-access rules judged by sacls.txt through the CLI (`check <rules> --host <snapshot>`): on, partial,
 * off, unknown per rule from the keys and folders it watches; the global SACL still wins; without sacls.txt
 * nothing changes but the reason names the input that settles it. Fixtures: test/fixtures/snapshot-sacls/README.md.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers.js';

const RULES = join(ROOT, 'test/fixtures/sacl');
const SNAP = join(ROOT, 'test/fixtures/snapshot-sacls/WS-0142');
const PLAIN = join(ROOT, 'test/fixtures/snapshot/WS-0142');
const T = '\t';

interface Row {
  path: string;
  verdict?: string;
  why?: string;
  verdicts?: Record<string, number>;
}

function check(host: string): Map<string, Row> {
  const r = runCli(['check', RULES, '--host', host, '--no-cache', '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  const rows = (JSON.parse(r.stdout) as { rules: Row[] }).rules;
  return new Map(rows.map((x) => [x.path.split('/').pop() as string, x]));
}

function copySnapshot(sacls?: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-sacls-')), 'WS-0142');
  cpSync(SNAP, dir, { recursive: true });
  if (sacls !== undefined) writeFileSync(join(dir, 'sacls.txt'), sacls);
  return dir;
}

describe('check --host <snapshot with sacls.txt>', () => {
  const rows = check(SNAP);
  const v = (f: string) => rows.get(f);

  it('on: every watched key has a matching SACL, an inherited one included (Run inherits from CurrentVersion)', () => {
    expect(v('reg-set-run-contains.yml')?.verdict).toBe('ready');
    expect(v('reg-add-key.yml')?.verdict).toBe('ready');
  });

  it('off: no watched key has a SACL that applies (none, or InheritOnly): blocked, the reason names the keys', () => {
    expect(v('reg-set-value-endswith.yml')?.verdict).toBe('blocked');
    expect(v('reg-set-value-endswith.yml')?.why).toMatch(
      /sacls\.txt: no audit SACL on HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System \(no Success entry for SetValue \(its entries are InheritOnly/,
    );
    expect(v('reg-set-value-endswith.yml')?.why).toContain('HKLM:\\SOFTWARE\\Classes\\htmlfile\\shell\\open\\command');
  });

  it('partial: some watched keys covered (Services yes, VSS no); another principal; no ObjectInherit on a folder; a Success-only SACL leaves the failure side of 4656 off', () => {
    expect(v('reg-set-services-tree.yml')).toMatchObject({
      verdict: 'partial',
      why: expect.stringMatching(/1 of 2 watched keys fully audited; not: HKLM:\\SYSTEM\\CurrentControlSet\\Services\\VSS/),
    });
    // 4656 is written on both outcomes: like its audit setting, the SACL's failure side is its own requirement
    // (sacl:registry:failure), and a Success-only entry leaves it off.
    expect(v('sec-4656-handle.yml')).toMatchObject({
      verdict: 'blocked',
      why: expect.stringMatching(/sacl:registry:failure \(sacls.txt: no audit SACL on .*no Failure entry for SetValue/),
    });
    const file = v('sec-4663-file.yml');
    expect(file?.verdict).toBe('partial');
    expect(file?.why).toMatch(/C:\\Windows\\System32\\Tasks \(Delete audited only for S-1-5-32-544\)/);
    expect(file?.why).toMatch(
      /C:\\Windows\\System32 \(no Success entry for WriteData, AppendData, Delete \(its entries do not apply to files: no ObjectInherit\)\)/,
    );
  });

  it('unknown: a SACL the script could not read; a rule with no fixed key', () => {
    expect(v('sec-4657-objectname.yml')).toMatchObject({
      verdict: 'unknown',
      why: expect.stringMatching(/could not read the SACL of HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa \(access-denied/),
    });
    expect(v('reg-event-fragment.yml')).toMatchObject({ verdict: 'unknown', why: expect.stringMatching(/names no fixed key/) });
  });
});

describe('sacls.txt collected for another rule set, or cut off', () => {
  it('a watched key in no block: unknown, naming it and how to settle it', () => {
    const only = [
      'logsource-check sacls 1',
      `path${T}registry${T}HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run`,
      `status${T}found${T}1`,
      `audit${T}S-1-1-0${T}0x00000002${T}Success${T}ContainerInherit${T}None${T}explicit`,
      'end',
      `done${T}1`,
    ].join('\r\n');
    const dir = copySnapshot(only + '\r\n');
    try {
      const rows = check(dir);
      expect(rows.get('reg-set-run-contains.yml')?.verdict).toBe('ready');
      expect(rows.get('sec-4657-objectname.yml')).toMatchObject({
        verdict: 'unknown',
        why: expect.stringContaining(
          'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa not in sacls.txt (sacls.txt was collected for another rule set): run collect-script <rules> --format ps1 on the host',
        ),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file cut off after the Run block: the keys after it are unknown (cut off), never off; one error line names the file', () => {
    const text = readFileSync(join(SNAP, 'sacls.txt'), 'utf8');
    const dir = copySnapshot(text.slice(0, text.indexOf('path\tregistry\tHKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa')));
    try {
      const r = runCli(['check', RULES, '--host', dir, '--no-cache', '--format', 'json']);
      const rows = new Map(
        (JSON.parse(r.stdout) as { rules: Row[]; errors: { path: string; message: string }[] }).rules.map((x) => [x.path.split('/').pop(), x]),
      );
      expect(rows.get('reg-set-run-contains.yml')?.verdict).toBe('ready');
      expect(rows.get('sec-4657-objectname.yml')).toMatchObject({
        verdict: 'unknown',
        why: expect.stringMatching(/not in sacls\.txt \(sacls\.txt is cut off/),
      });
      expect(rows.get('reg-set-services-tree.yml')?.verdict).toBe('unknown');
      const errors = (JSON.parse(r.stdout) as { errors: { path: string; message: string }[] }).errors;
      expect(errors.filter((e) => e.path.endsWith('sacls.txt'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a watched key that does not exist', () => {
  it('with nothing else covered: unknown (a key created later inherits its parent SACL, not read); beside a covered key: partial', () => {
    const text = readFileSync(join(SNAP, 'sacls.txt'), 'utf8');
    /** The block of `path` rewritten as the script writes an absent key: status not-found, no entries. */
    const absent = (t: string, path: string) => {
      const out: string[] = [];
      let inBlock = false;
      for (const l of t.split('\r\n')) {
        if (l.startsWith('path\t')) inBlock = l === `path${T}registry${T}${path}`;
        if (inBlock && l.startsWith('status\t')) out.push(`status${T}not-found${T}`);
        else if (!(inBlock && /^(audit|sddl)\t/.test(l))) out.push(l);
      }
      return out.join('\r\n');
    };
    let t = absent(text, 'HKLM:\\SOFTWARE\\Classes\\htmlfile\\shell\\open\\command');
    t = absent(t, 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System');
    t = absent(t, 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\VSS');
    expect(t.match(/not-found/g)).toHaveLength(3);
    const dir = copySnapshot(t);
    try {
      const rows = check(dir);
      expect(rows.get('reg-set-value-endswith.yml')).toMatchObject({
        verdict: 'unknown',
        why: expect.stringMatching(/not found on this host\): created later, it inherits its parent's SACL, which is not read/),
      });
      expect(rows.get('reg-set-services-tree.yml')).toMatchObject({
        verdict: 'partial',
        why: expect.stringContaining('HKLM:\\SYSTEM\\CurrentControlSet\\Services\\VSS (not found on this host)'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what sacls.txt does not change', () => {
  it('the global SACL wins when it is on (File: Everyone FILE_GENERIC_WRITE in auditpol-resourcesacl.txt)', () => {
    const dir = copySnapshot();
    cpSync(join(PLAIN, 'auditpol-resourcesacl.txt'), join(dir, 'auditpol-resourcesacl.txt'));
    try {
      expect(check(dir).get('sec-4663-file.yml')?.verdict).toBe('ready');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without sacls.txt: unknown as before, the reason names the input that settles it', () => {
    const rows = check(PLAIN);
    expect(rows.get('sec-4657-objectname.yml')).toMatchObject({
      verdict: 'unknown',
      why: expect.stringContaining('run collect-script <rules> --format ps1 on the host to read the SACLs of the watched paths'),
    });
    expect(rows.get('reg-set-run-contains.yml')?.verdict).toBe('unknown');
  });

  it('a fleet: hosts whose global states agree but whose sacls.txt differ get their own verdicts', () => {
    const base = mkdtempSync(join(tmpdir(), 'lsc-sacls-fleet-'));
    try {
      for (const h of ['WS-A', 'WS-B']) {
        cpSync(SNAP, join(base, h), { recursive: true });
        rmSync(join(base, h, 'systeminfo.csv'));
      }
      // WS-B: VSS (and the htmlfile key) get an Everyone SetValue entry.
      const b = join(base, 'WS-B', 'sacls.txt');
      writeFileSync(
        b,
        readFileSync(b, 'utf8').replace(
          /status\tfound\t0\r\n/g,
          `status${T}found${T}1\r\naudit${T}S-1-1-0${T}0x00000002${T}Success${T}ContainerInherit${T}None${T}explicit\r\n`,
        ),
      );
      const r = runCli(['check', RULES, '--host', base, '--no-cache', '--format', 'json']);
      const rows = new Map((JSON.parse(r.stdout) as { rules: Row[] }).rules.map((x) => [x.path.split('/').pop(), x]));
      expect(rows.get('reg-set-services-tree.yml')?.verdicts).toMatchObject({ ready: 1, partial: 1 });
      expect(rows.get('reg-set-value-endswith.yml')?.verdicts).toMatchObject({ partial: 1, blocked: 1 });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('collect-script <rules> (CLI)', () => {
  it('ps1: one Read-Sacl per watched key or folder, said on stderr; cmd: a note that the ps1 reads them', () => {
    const ps1 = runCli(['collect-script', RULES, '--no-cache']);
    expect(ps1.status, ps1.stderr).toBe(0);
    expect(ps1.stdout.split('\r\n').filter((l) => l.startsWith('Read-Sacl '))).toHaveLength(10);
    expect(ps1.stderr).toContain('sacls.txt: the script reads the audit SACLs of 8 registry key(s) and 2 folder(s) the rules watch');
    const cmd = runCli(['collect-script', RULES, '--format', 'cmd', '--no-cache']);
    expect(cmd.status).toBe(0);
    expect(cmd.stderr).toMatch(/read by the ps1 script only/);
    expect(cmd.stdout).not.toContain('Read-Sacl');
    const plain = runCli(['collect-script']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('Read-Sacl');
  });
});
